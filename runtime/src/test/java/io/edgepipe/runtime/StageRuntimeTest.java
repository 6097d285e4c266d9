package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared runtime over real loopback gRPC: a "stage" that passes frames through to a
 * collecting "sink" stage. The same runtime serves conv, relu and maxpool.
 */
class StageRuntimeTest {
  private static final long LIMIT = 128L << 20;
  private final List<Frame> delivered = new CopyOnWriteArrayList<>();
  private FrameServer sink;
  private FrameServer stage;
  private ManagedChannel channel;

  private void startChain(FrameProcessor stageProcessor, FrameProcessor sinkProcessor) throws Exception {
    FrameHandler sinkHandler = new FrameHandler("sink", "test", new FrameValidator(LIMIT), sinkProcessor, null,
        new StageMetrics("sink"));
    sink = new FrameServer("sink", "127.0.0.1", 0, -1, LIMIT, new StageService(sinkHandler), sinkHandler, null).start();
    StageMetrics metrics = new StageMetrics("pass");
    DownstreamClient down = new DownstreamClient("pass", Transport.channel("127.0.0.1:" + sink.port(), LIMIT), true,
        false, ack -> metrics.downstreamRejected());
    FrameHandler handler = new FrameHandler("pass", "test", new FrameValidator(LIMIT), stageProcessor, down, metrics);
    stage = new FrameServer("pass", "127.0.0.1", 0, 0, LIMIT, new StageService(handler), handler, down).start();
    channel = Transport.channel("127.0.0.1:" + stage.port(), LIMIT);
  }

  private FrameProcessor collecting() {
    return in -> {
      delivered.add(in);
      return null;
    };
  }

  private static FrameProcessor passThrough() {
    return in -> Frame.newBuilder().setDtype(in.getDtype()).setShape(in.getShape()).setData(in.getData());
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (stage != null) {
      stage.stop(5, TimeUnit.SECONDS);
    }
    if (sink != null) {
      sink.stop(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void framesAboveFourMegabytesTravelBothWays() throws Exception {
    startChain(passThrough(), collecting());
    DownstreamClient client = new DownstreamClient("test", channel, false, false, ack -> {});
    client.send(TestFrames.f32("cam0", 0, 3, 720, 1280));   // 11 MB
    client.send(TestFrames.f32("cam0", 1, 3, 2160, 3840));  // 100 MB
    client.close();
    stage.stop(10, TimeUnit.SECONDS);
    assertEquals(2, delivered.size());
    assertEquals(3 * 2160 * 3840 * 4, delivered.get(1).getData().size());
    assertEquals(TestFrames.f32("cam0", 1, 3, 2160, 3840).getData(), delivered.get(1).getData());
    // the unary method returns the stage's output, 11 MB included
    stage = null;
  }

  @Test
  void unaryProcessReturnsOutputAndRejectsBadFramesWithTheReason() throws Exception {
    startChain(passThrough(), collecting());
    StageGrpc.StageBlockingStub stub = StageGrpc.newBlockingStub(channel);
    Frame big = TestFrames.f32("cam0", 7, 3, 720, 1280);
    Frame out = stub.process(big);
    assertEquals(big.getData(), out.getData());
    assertEquals("pass", out.getTimings(0).getStage());

    Frame wrongLength = big.toBuilder().setData(ByteString.copyFrom(new byte[10])).build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.process(wrongLength));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("data is 10 bytes but shape 3x720x1280 F32 needs 11059200"),
        e.getStatus().getDescription());

    Frame absurd = big.toBuilder().setShape(Shape.newBuilder().setC(1 << 30).setH(1 << 30).setW(1 << 30)).build();
    e = assertThrows(StatusRuntimeException.class, () -> stub.process(absurd));
    assertTrue(e.getStatus().getDescription().contains("exceeds the limit"), e.getStatus().getDescription());

    Frame unknownType = big.toBuilder().setDtypeValue(9).build();
    e = assertThrows(StatusRuntimeException.class, () -> stub.process(unknownType));
    assertTrue(e.getStatus().getDescription().contains("dtype value 9 is not a known element type"));

    Frame negative = big.toBuilder().setShape(Shape.newBuilder().setC(3).setH(-720).setW(1280)).build();
    e = assertThrows(StatusRuntimeException.class, () -> stub.process(negative));
    assertTrue(e.getStatus().getDescription().contains("has a dimension <= 0"));

    // the stage keeps serving, and counted what it refused
    assertEquals(big.getData(), stub.process(big).getData());
    assertEquals(4, stage.handler().metrics().framesRejected());
    assertEquals(2, stage.handler().metrics().framesOut());
  }

  @Test
  void badFramesOnAStreamAreAnsweredOneByOneAndGoodOnesStillFlow() throws Exception {
    startChain(passThrough(), collecting());
    List<FrameAck> errors = new CopyOnWriteArrayList<>();
    DownstreamClient client = new DownstreamClient("test", channel, false, false, errors::add);
    for (int i = 0; i < 20; i++) {
      Frame good = TestFrames.f32("cam0", i, 1, 16, 16);
      client.send(i % 2 == 0 ? good : good.toBuilder().setDtype(DType.U8).build()); // U8 with 4x the bytes
    }
    client.close();
    stage.stop(5, TimeUnit.SECONDS);
    stage = null;
    assertEquals(10, delivered.size());
    assertEquals(10, errors.size());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), errors.get(0).getCode());
    assertTrue(errors.get(0).getMessage().contains("needs 256"), errors.get(0).getMessage());
  }

  @Test
  void slowNextStageSlowsTheSenderAndNothingQueuesWithoutBound() throws Exception {
    startChain(passThrough(), in -> {
      sleep(10); // the sink takes 10 ms a frame
      delivered.add(in);
      return null;
    });
    DownstreamClient client = new DownstreamClient("test", channel, false, false, ack -> {});
    int frames = 150;
    long maxAhead = 0;
    long start = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      client.send(TestFrames.f32("cam0", i, 1, 512, 512)); // 1 MB frames
      maxAhead = Math.max(maxAhead, client.sent() - delivered.size());
    }
    double sendingMs = (System.nanoTime() - start) / 1e6;
    client.close();
    stage.stop(5, TimeUnit.SECONDS);
    stage = null;
    assertEquals(frames, delivered.size());
    // a bounded number of frames sit between the sender and the sink: two hops' HTTP/2 windows
    // (Transport.FLOW_CONTROL_WINDOW = 16 MiB each) plus one in hand and one prefetched per
    // service, never the whole run
    long bound = 2 * (Transport.FLOW_CONTROL_WINDOW / (512 * 512 * 4) + 2) + 2;
    assertTrue(maxAhead <= bound, "frames ahead of the sink: " + maxAhead + ", bound " + bound);
    // so the sender was held back to roughly the sink's pace
    assertTrue(sendingMs >= (frames - bound) * 10 * 0.9, "sending took only " + sendingMs + " ms");
  }

  @Test
  void healthAndMetricsAreServed() throws Exception {
    startChain(passThrough(), collecting());
    HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    StageGrpc.newBlockingStub(channel).process(TestFrames.f32("cam0", 0, 1, 8, 8));
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stage.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("edgepipe_frames_in_total{stage=\"pass\"} 1.0"), metrics.body());
    assertTrue(metrics.body().contains("edgepipe_phase_seconds_bucket"), "phase histograms are exported");
  }

  @Test
  void drainDeliversEveryFrameInFlight() throws Exception {
    startChain(in -> {
      sleep(5);
      return Frame.newBuilder().setDtype(in.getDtype()).setShape(in.getShape()).setData(in.getData());
    }, collecting());
    DownstreamClient client = new DownstreamClient("test", channel, false, false, ack -> {});
    for (int i = 0; i < 50; i++) {
      client.send(TestFrames.f32("cam0", i, 1, 64, 64));
    }
    client.close();               // upstream done
    stage.stop(10, TimeUnit.SECONDS); // drains into the sink before closing
    stage = null;
    assertEquals(50, delivered.size());
    for (int i = 0; i < 50; i++) {
      assertEquals(i, delivered.get(i).getSeq(), "in order");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
