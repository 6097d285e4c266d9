package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.Delivery;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.NamedTensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Frames that carry a model cut's named tensors ({@code Frame.tensors}, several per frame, no
 * {@code data}) through a stage that reads them in place off Netty's buffers, over real sockets,
 * with Netty's leak detector at paranoid level. Two sources send at once; the stage takes a
 * layer's time before reading each tensor, so the transport keeps reading the next frames while
 * it computes. Every tensor the stage reads is the one sent, and still in the transport's direct
 * buffers; every output reaches the next hop intact, including those re-sent after the next hop
 * was killed and restarted (reliable); the next hop, which keeps its input, still holds intact
 * tensors after the run; no buffer leaked.
 */
class NamedTensorHopTest {
  private static final long LIMIT = 16L << 20;
  private static final int FLOWS = 2;
  private static final int FRAMES_PER_FLOW = 100;

  /** A cut across residual branches, like BlazeFace's: tensors of several sizes, one tiny. */
  private static final List<TensorSpec> CUT = List.of(
      new TensorSpec("block/Add_3:0", 1, 48, 32, 32),   // 192 KiB, many socket reads
      new TensorSpec("block/Relu_5:0", 1, 88, 16, 16),  // 88 KiB
      new TensorSpec("head/Reshape:0", 1, 6),           // 24 bytes
      new TensorSpec("head/Concat:0", 1, 512, 16));     // 32 KiB

  private record TensorSpec(String name, int... dims) {
    int bytes() {
      return Arrays.stream(dims).reduce(4, (a, b) -> a * b);
    }
  }

  @Test
  void reliableTensorsReadInPlaceStayIntactThroughAReconnectAndLeakNoBuffer() throws Exception {
    try (NettyLeakWatch leaks = new NettyLeakWatch()) {
      Chain chain = new Chain(Delivery.RELIABLE);
      chain.run(true);
      assertEquals(FLOWS * FRAMES_PER_FLOW, chain.arrived.size(), "frames at the next hop");
      chain.assertIntact();
      leaks.assertNoLeakReported();
    }
  }

  @Test
  void realtimeTensorsReadInPlaceOnTheInboxThreadStayIntactAndLeakNoBuffer() throws Exception {
    try (NettyLeakWatch leaks = new NettyLeakWatch()) {
      Chain chain = new Chain(Delivery.REALTIME);
      chain.run(false);
      assertEquals(FLOWS * FRAMES_PER_FLOW, chain.arrived.size() + chain.tombstones.get(),
          "frames at the next hop, delivered or dropped with a reason");
      assertTrue(chain.arrived.size() > 0, "no frame reached the next hop");
      chain.assertIntact();
      leaks.assertNoLeakReported();
    }
  }

  /** Sources -> a stage reading tensors in place -> a next hop that keeps what it receives. */
  private static final class Chain {
    final Delivery delivery;
    final Map<String, Frame> arrived = new ConcurrentHashMap<>();
    final AtomicLong tombstones = new AtomicLong();
    final AtomicLong corruptDuplicates = new AtomicLong();
    final AtomicLong framesSeen = new AtomicLong();
    final AtomicLong tensorsCorruptAtStage = new AtomicLong();
    final AtomicLong bigTensorsSeen = new AtomicLong();
    final AtomicLong bigTensorsInPlace = new AtomicLong();

    Chain(Delivery delivery) {
      this.delivery = delivery;
    }

    /** The next hop: like the sink, it keeps its input (so the runtime must hand it its own copy). */
    private final FrameProcessor collect = new FrameProcessor() {
      @Override
      public Frame.Builder process(Frame in) {
        Frame previous = arrived.putIfAbsent(key(in.getFlowId(), in.getSeq()), in);
        if (previous != null && !previous.getTensorsList().equals(in.getTensorsList())) {
          corruptDuplicates.incrementAndGet();
        }
        return null;
      }

      @Override
      public void onTombstone(Frame tombstone) {
        tombstones.incrementAndGet();
      }
    };

    /** The stage: reads each tensor in place, a layer's time apart, and hands on its xor. */
    private final FrameProcessor stage = FrameProcessor.readingInPlace(in -> {
      framesSeen.incrementAndGet();
      Frame.Builder out = Frame.newBuilder().setDtype(DType.F32);
      for (NamedTensor t : in.getTensorsList()) {
        LockSupport.parkNanos(300_000); // a layer computes; the transport reads on meanwhile
        if (t.getData().size() >= 1024) {
          bigTensorsSeen.incrementAndGet();
          if (t.getData().asReadOnlyByteBufferList().stream().allMatch(ByteBuffer::isDirect)) {
            bigTensorsInPlace.incrementAndGet();
          }
        }
        byte[] bytes = t.getData().toByteArray();
        if (!Arrays.equals(bytes, tensorBytes(in.getFlowId(), in.getSeq(), t.getName()))) {
          tensorsCorruptAtStage.incrementAndGet();
        }
        out.addTensors(t.toBuilder().setName("out/" + t.getName()).setData(UnsafeByteOperations.unsafeWrap(xor(bytes))));
      }
      return out;
    });

    void run(boolean reconnect) throws Exception {
      FrameServer next = nextHop(0);
      int nextPort = next.port();
      StageMetrics metrics = new StageMetrics("cut");
      DownstreamClient toNext = new DownstreamClient("cut",
          Transport.socketChannel("127.0.0.1:" + nextPort, LIMIT, null), true, false, ack -> {}, delivery);
      FrameHandler handler = new FrameHandler("cut", "test", new FrameValidator(LIMIT), stage, toNext, metrics,
          delivery, 0);
      FrameServer cut = new FrameServer("cut", "127.0.0.1", 0, -1, LIMIT, new StageService(handler), handler, toNext)
          .start();
      ExecutorService sources = Executors.newFixedThreadPool(FLOWS);
      try {
        List<Future<?>> sending = new ArrayList<>();
        for (int f = 0; f < FLOWS; f++) {
          String flow = "cam-" + f;
          sending.add(sources.submit(() -> {
            try (DownstreamClient source = new DownstreamClient("source-" + flow,
                Transport.socketChannel("127.0.0.1:" + cut.port(), LIMIT, null), true, false, ack -> {}, delivery)) {
              for (int seq = 0; seq < FRAMES_PER_FLOW; seq++) {
                source.send(frame(flow, seq));
              }
            } // closing waits until every frame is answered: its output is in the next hop's custody
            return null;
          }));
        }
        if (reconnect) {
          awaitFramesSeen(FLOWS * FRAMES_PER_FLOW / 2);
          next.kill(); // the stage's unanswered outputs are re-sent once it is back
          Thread.sleep(300);
          next = nextHop(nextPort);
        }
        for (Future<?> s : sending) {
          s.get(120, TimeUnit.SECONDS);
        }
      } finally {
        sources.shutdownNow();
        cut.stop(10, TimeUnit.SECONDS);
        next.stop(10, TimeUnit.SECONDS);
      }
    }

    private void awaitFramesSeen(long count) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (framesSeen.get() < count && System.nanoTime() < end) {
        Thread.sleep(5);
      }
    }

    private FrameServer nextHop(int port) throws Exception {
      FrameHandler h = new FrameHandler("next", "test", new FrameValidator(LIMIT), collect, null,
          new StageMetrics("next"), delivery, 0);
      return new FrameServer("next", "127.0.0.1", port, -1, LIMIT, new StageService(h), h, null).start();
    }

    /** Read after the run, long after every transport buffer of the run was released. */
    void assertIntact() {
      assertEquals(0, tensorsCorruptAtStage.get(), "tensors the stage read that differ from those sent");
      assertEquals(bigTensorsSeen.get(), bigTensorsInPlace.get(), "tensors the stage read off the transport's direct buffers");
      assertEquals(0, corruptDuplicates.get(), "a re-sent frame differed from its first copy");
      for (Frame f : arrived.values()) {
        assertEquals(CUT.size(), f.getTensorsCount(), "tensors of " + key(f.getFlowId(), f.getSeq()));
        for (int i = 0; i < CUT.size(); i++) {
          TensorSpec spec = CUT.get(i);
          NamedTensor t = f.getTensors(i);
          assertEquals("out/" + spec.name(), t.getName());
          assertTrue(Arrays.equals(xor(tensorBytes(f.getFlowId(), f.getSeq(), spec.name())), t.getData().toByteArray()),
              "tensor " + spec.name() + " of " + key(f.getFlowId(), f.getSeq()) + " as kept by the next hop");
        }
      }
    }
  }

  private static Frame frame(String flow, long seq) {
    Frame.Builder f = Frame.newBuilder().setFlowId(flow).setSeq(seq).setDtype(DType.F32);
    for (TensorSpec spec : CUT) {
      NamedTensor.Builder t = NamedTensor.newBuilder().setName(spec.name()).setDtype(DType.F32)
          .setData(ByteString.copyFrom(tensorBytes(flow, seq, spec.name())));
      Arrays.stream(spec.dims()).forEach(t::addDims);
      f.addTensors(t);
    }
    return f.build();
  }

  /** What a source sends as tensor {@code name} of frame {@code flow}/{@code seq}. */
  private static byte[] tensorBytes(String flow, long seq, String name) {
    TensorSpec spec = CUT.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    byte[] b = new byte[spec.bytes()];
    new Random(key(flow, seq).hashCode() * 31L + name.hashCode()).nextBytes(b);
    return b;
  }

  private static String key(String flow, long seq) {
    return flow + "/" + seq;
  }

  private static byte[] xor(byte[] in) {
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = (byte) (in[i] ^ 0x5a);
    }
    return out;
  }
}
