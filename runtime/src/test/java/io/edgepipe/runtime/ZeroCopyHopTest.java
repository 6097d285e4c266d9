package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A stage that reads its input in place off Netty's buffers (over a real socket), with Netty's
 * leak detector at paranoid level (every buffer tracked). Its next hop is killed and
 * restarted mid-run, so frames are re-sent after the reconnect. Every frame arrives intact, the
 * stage saw every payload still in the transport's direct buffers (no copy to the heap), and no
 * buffer leaked.
 */
class ZeroCopyHopTest {
  private static final long LIMIT = 16L << 20;
  private static final int FRAMES = 200;
  private static final int SIDE = 256; // 1x256x256 f32 = 256 KiB, many Netty buffers per frame

  @Test
  void framesParsedInPlaceSurviveAReconnectIntactAndLeakNoBuffer() throws Exception {
    try (NettyLeakWatch leaks = new NettyLeakWatch()) {
      runChainWithAReconnect();
      leaks.assertNoLeakReported();
    }
  }

  private void runChainWithAReconnect() throws Exception {
    Map<Long, ByteString> arrived = new ConcurrentHashMap<>();
    AtomicLong corruptDuplicates = new AtomicLong();
    FrameProcessor collect = in -> {
      ByteString previous = arrived.putIfAbsent(in.getSeq(), in.getData());
      if (previous != null && !previous.equals(in.getData())) {
        corruptDuplicates.incrementAndGet();
      }
      return null;
    };
    FrameServer next = nextHop(0, collect);
    int nextPort = next.port();

    AtomicLong inPlace = new AtomicLong();
    AtomicLong seen = new AtomicLong();
    FrameProcessor xor = FrameProcessor.readingInPlace(in -> {
      seen.incrementAndGet();
      if (in.getData().asReadOnlyByteBufferList().stream().allMatch(ByteBuffer::isDirect)) {
        inPlace.incrementAndGet();
      }
      return Frame.newBuilder().setDtype(in.getDtype()).setShape(in.getShape())
          .setData(UnsafeByteOperations.unsafeWrap(xor(in.getData())));
    });
    StageMetrics metrics = new StageMetrics("xor");
    DownstreamClient toNext = new DownstreamClient("xor",
        Transport.socketChannel("127.0.0.1:" + nextPort, LIMIT, null), true, false, ack -> {});
    FrameHandler handler = new FrameHandler("xor", "test", new FrameValidator(LIMIT), xor, toNext, metrics);
    FrameServer stage = new FrameServer("xor", "127.0.0.1", 0, -1, LIMIT, new StageService(handler), handler, toNext)
        .start();
    DownstreamClient source = new DownstreamClient("test",
        Transport.socketChannel("127.0.0.1:" + stage.port(), LIMIT, null), true, false, ack -> {});
    try {
      for (int seq = 0; seq < FRAMES; seq++) {
        source.send(frame(seq));
        if (seq == FRAMES / 2) {
          next.kill(); // frames the stage forwarded but were not answered are re-sent later
          Thread.sleep(300);
          next = nextHop(nextPort, collect);
        }
      }
      source.close(); // every frame answered, so every output is in the next hop's custody
    } finally {
      stage.stop(10, TimeUnit.SECONDS);
      next.stop(10, TimeUnit.SECONDS);
    }
    assertEquals(FRAMES, arrived.size(), "frames at the next hop");
    for (long seq = 0; seq < FRAMES; seq++) {
      assertEquals(ByteString.copyFrom(xor(frame(seq).getData())), arrived.get(seq), "payload of frame " + seq);
    }
    assertEquals(0, corruptDuplicates.get(), "a re-sent frame differed from its first copy");
    assertEquals(seen.get(), inPlace.get(), "frames the stage read off the transport's direct buffers");
  }

  private static FrameServer nextHop(int port, FrameProcessor collect) throws Exception {
    FrameHandler h = new FrameHandler("next", "test", new FrameValidator(LIMIT), collect, null, new StageMetrics("next"));
    return new FrameServer("next", "127.0.0.1", port, -1, LIMIT, new StageService(h), h, null).start();
  }

  private static Frame frame(long seq) {
    byte[] data = new byte[SIDE * SIDE * 4];
    new java.util.Random(seq).nextBytes(data);
    return Frame.newBuilder().setFlowId("cam").setSeq(seq).setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(1).setH(SIDE).setW(SIDE)).setData(ByteString.copyFrom(data)).build();
  }

  private static byte[] xor(ByteString data) {
    byte[] out = new byte[data.size()];
    int i = 0;
    for (ByteBuffer piece : data.asReadOnlyByteBufferList()) {
      while (piece.hasRemaining()) {
        out[i++] = (byte) (piece.get() ^ 0x5a);
      }
    }
    return out;
  }
}
