package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.api.proto.SinkGrpc;
import io.edgepipe.api.proto.StageGrpc;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.Transport;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: at least 10,000 malformed frames to each stage and to the sink (random bytes,
 * truncated messages, wrong lengths, huge declared shapes, unknown types, a 1 MB flow id,
 * NaN/Inf payloads), with good frames in between. Nothing crashes, every bad frame gets a
 * precise status, every good frame is processed, and the heap does not grow.
 */
class FuzzTest {
  private static final int BAD_PER_TARGET = 10_000;
  private static final int H = 12;
  private static final int W = 16;

  @Test
  void everyStageAndTheSinkSurviveHostileFramesAndKeepServing() throws Exception {
    PipelineSpec spec = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml")).withInput(H, W);
    AtomicLong delivered = new AtomicLong();
    try (EmbeddedRun run = new EmbeddedRun(spec, "cpu", f -> delivered.incrementAndGet())) {
      System.gc();
      long heapBefore = usedHeap();
      for (FrameServer stage : run.stages()) {
        fuzz(stage.port(), false, stage.handler().stage(), spec);
      }
      fuzz(run.sinkPort(), true, "sink", spec);
      System.gc();
      long heapAfter = usedHeap();
      assertTrue(heapAfter - heapBefore < 64L << 20,
          "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MB over the fuzzing");
      for (FrameServer stage : run.stages()) {
        assertTrue(stage.handler().metrics().framesRejected() >= BAD_PER_TARGET * 8 / 10 - 200,
            stage.handler().stage() + " counted its rejections: " + stage.handler().metrics().framesRejected());
      }
    }
  }

  /** Sends the bad frames (and a good one every 50) to one service; checks every answer. */
  private void fuzz(int port, boolean sink, String name, PipelineSpec spec) throws Exception {
    ManagedChannel channel = Transport.channel("127.0.0.1:" + port, spec.maxFrameBytes());
    try {
      SplittableRandom random = new SplittableRandom(name.hashCode());
      Frame good = goodFrame(spec, sink, name);
      List<FrameAck> answers = new CopyOnWriteArrayList<>();
      Map<Long, String> expected = new ConcurrentHashMap<>();
      DownstreamClient stream = new DownstreamClient("fuzzer", channel, false, sink, a -> { });
      int rawCalls = 0;
      for (int i = 0; i < BAD_PER_TARGET; i++) {
        if (i % 5 == 4) {
          // not a Frame at all: random bytes or a truncated message, as a raw unary call
          byte[] bytes = i % 10 == 4 ? randomBytes(random, 1 + random.nextInt(200))
              : truncated(good, random);
          assertEquals(Status.Code.INVALID_ARGUMENT, rawCall(channel, sink, bytes), name);
          rawCalls++;
          continue;
        }
        Frame bad = malformed(good, random, i).setSeq(i).build();
        expected.put((long) i, "bad");
        stream.send(bad, null);
        if (i % 50 == 0) {
          assertGoodFrameProcessed(channel, sink, good.toBuilder().setSeq(1_000_000 + i).build(), name);
        }
      }
      stream.close();
      assertTrue(rawCalls >= BAD_PER_TARGET / 5);
      assertEquals(BAD_PER_TARGET - rawCalls, stream.acked(), name + ": every streamed frame was answered");
      assertGoodFrameProcessed(channel, sink, good.toBuilder().setSeq(2_000_000).build(), name);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Well-formed headers with one thing wrong each (the NaN/Inf payload is valid and must be processed). */
  private static Frame.Builder malformed(Frame good, SplittableRandom random, int i) {
    Frame.Builder f = good.toBuilder();
    switch (i % 8) {
      case 0 -> f.setData(ByteString.copyFrom(randomBytes(random, random.nextInt(good.getData().size()))));
      case 1 -> f.setShape(Shape.newBuilder().setC(Integer.MAX_VALUE).setH(Integer.MAX_VALUE).setW(Integer.MAX_VALUE));
      case 2 -> f.setShape(Shape.newBuilder().setC(1).setH(-H).setW(0));
      case 3 -> f.setDtypeValue(7 + random.nextInt(1000));
      case 5 -> f.setDtype(DType.DTYPE_UNSPECIFIED);
      case 6 -> f.setFlowId(i % 400 == 6 ? "x".repeat(1 << 20) : "y".repeat(300)); // a 1 MB flow id now and then
      default -> f.clearShape();
    }
    return f;
  }

  private static Frame goodFrame(PipelineSpec spec, boolean sink, String name) {
    int index = sink ? spec.layers().size() : spec.indexOf(name);
    var shape = spec.shapes().get(index);
    DType type = spec.hopTypes().get(index);
    int n = (int) shape.elements();
    ByteBuffer data = ByteBuffer.allocate(n * io.edgepipe.api.ElementType.sizeOf(type)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      if (type == DType.F32) {
        data.putFloat(i % 7 == 0 ? Float.NaN : i % 11 == 0 ? Float.POSITIVE_INFINITY : i / (float) n); // NaN/Inf are data, not errors
      } else {
        data.put((byte) i);
      }
    }
    return Frame.newBuilder().setFlowId("fuzz").setDtype(type).setShape(shape.toProto())
        .setData(ByteString.copyFrom(data.array())).build();
  }

  private static void assertGoodFrameProcessed(ManagedChannel channel, boolean sink, Frame good, String name) {
    if (sink) {
      FrameAck ack = SinkGrpc.newBlockingStub(channel).deliverOne(good);
      assertEquals(0, ack.getCode(), name + ": " + ack.getMessage());
    } else {
      Frame out = StageGrpc.newBlockingStub(channel).process(good);
      assertTrue(out.getData().size() > 0, name + " processed the good frame");
    }
  }

  /** The status a raw request gets: the call's (stage Process) or its ack's (sink DeliverOne). */
  private static Status.Code rawCall(ManagedChannel channel, boolean sink, byte[] body) {
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(sink ? "edgepipe.v1.Sink/DeliverOne" : "edgepipe.v1.Stage/Process")
        .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
    try {
      byte[] reply = ClientCalls.blockingUnaryCall(channel, method,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
      if (!sink) {
        throw new AssertionError("garbage was processed");
      }
      FrameAck ack = FrameAck.parseFrom(reply);
      assertTrue(ack.getMessage().startsWith("sink: "), "the answer names what was wrong: " + ack.getMessage());
      return Status.Code.values()[ack.getCode()];
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] truncated(Frame good, SplittableRandom random) {
    byte[] all = good.toByteArray();
    return java.util.Arrays.copyOf(all, 1 + random.nextInt(all.length - 1));
  }

  private static byte[] randomBytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    if (n > 0) {
      b[0] = (byte) 0xff; // an invalid field tag, so random bytes never parse by chance
    }
    return b;
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
}
