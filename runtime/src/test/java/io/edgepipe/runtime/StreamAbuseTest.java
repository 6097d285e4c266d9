package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that sends 500,000 small malformed frames on a stage's stream (every thousandth not
 * even a Frame) and never reads its answers: the stage stops reading that stream once its answers
 * back up, its retained heap stays flat, and once the client reads, every frame is answered with
 * INVALID_ARGUMENT. Over a real socket, so the zero-copy parse path is the one abused.
 */
class StreamAbuseTest {
  private static final int FRAMES = 500_000;
  private static final long LIMIT = 1 << 20;

  @ParameterizedTest
  @EnumSource(Delivery.class)
  void aClientThatNeverReadsAnswersCannotGrowTheStage(Delivery delivery) throws Exception {
    StageMetrics metrics = new StageMetrics("abused");
    FrameHandler handler = new FrameHandler("abused", "test", new FrameValidator(LIMIT),
        FrameProcessor.readingInPlace(in -> Frame.newBuilder()), null, metrics, delivery, 0);
    FrameServer stage = new FrameServer("abused", "127.0.0.1", 0, -1, LIMIT, new StageService(handler), handler, null)
        .start();
    // gRPC's default 1 MiB receive window: the answers the client leaves unread fill it soon
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", stage.port()).usePlaintext().build();
    try {
      AtomicLong answers = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      CountDownLatch closed = new CountDownLatch(1);
      Object ready = new Object();
      ClientCall<byte[], FrameAck> call = channel.newCall(abusiveStream(), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(FrameAck ack) {
          answers.incrementAndGet();
          if (ack.getCode() == Status.Code.INVALID_ARGUMENT.value()) {
            refused.incrementAndGet();
          }
        }

        @Override
        public void onReady() {
          synchronized (ready) {
            ready.notifyAll();
          }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          closed.countDown();
        }
      }, new Metadata()); // and no call.request(): the client reads nothing

      long heapAt1k = 0;
      for (int i = 0; i < FRAMES; i++) {
        synchronized (ready) {
          while (!call.isReady()) {
            ready.wait(100);
          }
        }
        call.sendMessage(malformed(i));
        if (i == 1_000) {
          heapAt1k = retainedHeap();
        }
      }
      long readWhileIgnored = settledFramesIn(metrics);
      long heapAt500k = retainedHeap();
      System.out.printf("%s: stage read %d of %d frames while the client read nothing; retained heap %.1f MB"
          + " after 1,000 frames, %.1f MB after %d%n", delivery, readWhileIgnored, FRAMES,
          heapAt1k / 1048576.0, heapAt500k / 1048576.0, FRAMES);
      // reading stops once the unread answers fill the client's receive window (1 MiB of answers)
      Thread.sleep(500);
      assertEquals(readWhileIgnored, metrics.framesIn(), "the stage still reads a client that reads no answers");
      assertTrue(readWhileIgnored < FRAMES / 2,
          "the stage kept reading a client that reads no answers: " + readWhileIgnored + " frames");
      assertTrue(heapAt500k - heapAt1k < 16L << 20,
          "retained heap grew by " + ((heapAt500k - heapAt1k) >> 20) + " MB");

      call.request(Integer.MAX_VALUE); // now read: every frame is answered, each as refused
      call.halfClose();
      assertTrue(closed.await(120, TimeUnit.SECONDS), "stream completed after " + answers.get() + " answers");
      assertEquals(FRAMES, answers.get());
      // realtime may drop a queued frame before validating it (answered OK: dropped, accounted)
      assertEquals(FRAMES, metrics.framesRejected() + metrics.framesDropped());
      assertEquals(metrics.framesRejected(), refused.get());
      if (delivery == Delivery.RELIABLE) {
        assertEquals(FRAMES, refused.get());
      }
    } finally {
      channel.shutdownNow();
      stage.stop(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The stage's frame count once it has stopped moving for a second (at most a minute): the frames
   * already inside its flow-control window are still handled after the client stops being read,
   * which under a loaded machine takes longer than any fixed pause (CI rehearsal at load 6-10: still
   * 8,000 frames on after 500 ms).
   */
  private static long settledFramesIn(StageMetrics metrics) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    long last = metrics.framesIn();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long now = metrics.framesIn();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /** A tiny frame with an unknown element type, or (every thousandth) bytes that are no Frame. */
  private static byte[] malformed(int i) {
    if (i % 1000 == 999) {
      return new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
    }
    return Frame.newBuilder().setFlowId("f").setSeq(i).setDtypeValue(9).build().toByteArray();
  }

  private static MethodDescriptor<byte[], FrameAck> abusiveStream() {
    MethodDescriptor.Marshaller<byte[]> raw = new MethodDescriptor.Marshaller<>() {
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
    return StageGrpc.getStreamMethod().toBuilder(raw, StageGrpc.getStreamMethod().getResponseMarshaller()).build();
  }

  private static long retainedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
