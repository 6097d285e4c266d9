package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.proto.Codec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A service decodes what it reads and encodes what it produces, each hop in its own codec, and a
 * compressed payload that does not decode is refused with INVALID_ARGUMENT naming the problem
 * while the service goes on with the next frame.
 */
class PayloadCodecsTest {
  /** A stage that passes the decoded payload on, re-encoded in {@code outCodec}. */
  private static FrameProcessor recoding(PayloadCodec outCodec) {
    return in -> {
      ByteBuffer raw = PayloadCodecs.input("pass", in);
      byte[] bytes = new byte[raw.remaining()];
      raw.get(bytes);
      return PayloadCodecs.output(outCodec, Frame.newBuilder().setDtype(in.getDtype()).setShape(in.getShape()), bytes);
    };
  }

  private static final class Collecting implements Downstream {
    final List<Frame> frames = new ArrayList<>();

    @Override
    public void send(Frame frame, Runnable onAnswered) {
      frames.add(frame);
      if (onAnswered != null) {
        onAnswered.run();
      }
    }

    @Override
    public void close() {}
  }

  private static Frame compressed(PayloadCodec codec, long seq) {
    Frame raw = TestFrames.f32("cam0", seq, 1, 64, 64);
    return codec.encodeInto(raw.toBuilder(), raw.getData().toByteArray()).build();
  }

  @Test
  void eachHopDecodesItsInputAndEncodesItsOutput() {
    Collecting next = new Collecting();
    FrameHandler handler = new FrameHandler("pass", "test", new FrameValidator(1 << 20),
        recoding(PayloadCodec.ZSTD), next, new StageMetrics("pass"));
    List<FrameAck> acks = new ArrayList<>();
    handler.handle(compressed(PayloadCodec.LZ4, 0), acks::add);
    assertEquals(Status.Code.OK.value(), acks.get(0).getCode(), acks.get(0).getMessage());
    Frame out = next.frames.get(0);
    assertEquals(Codec.CODEC_ZSTD, out.getCodec());
    assertTrue(out.getData().size() < 64 * 64 * 4 / 4, "a mostly-zero frame shrinks: " + out.getData().size());
    // the sink's view: decoded, codec none, the exact bytes that entered
    Frame atSink = PayloadCodecs.decoded("sink", out);
    assertEquals(Codec.CODEC_NONE, atSink.getCodec());
    assertEquals(TestFrames.f32("cam0", 0, 1, 64, 64).getData(), atSink.getData());
  }

  @Test
  void aCorruptCompressedPayloadIsRefusedByNameAndTheStageGoesOn() {
    Collecting next = new Collecting();
    StageMetrics metrics = new StageMetrics("pass");
    FrameHandler handler = new FrameHandler("pass", "test", new FrameValidator(1 << 20),
        recoding(PayloadCodec.NONE), next, metrics);
    Frame good = compressed(PayloadCodec.LZ4, 1);
    byte[] bytes = good.getData().toByteArray();
    bytes[bytes.length - 3] ^= 0x5a; // inside the last sequence: the header still looks right
    for (int i = 0; i < 5 && i < bytes.length; i++) {
      bytes[i] = (byte) 0xff; // a literal run longer than the block
    }
    Frame corrupt = good.toBuilder().setSeq(2).setData(ByteString.copyFrom(bytes)).build();
    List<FrameAck> acks = new ArrayList<>();
    handler.handle(corrupt, acks::add);
    handler.handle(compressed(PayloadCodec.LZ4, 3), acks::add);
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), acks.get(0).getCode());
    assertTrue(acks.get(0).getMessage().startsWith("pass: data is not a valid lz4 payload"), acks.get(0).getMessage());
    assertEquals(Status.Code.OK.value(), acks.get(1).getCode(), "the next frame is served");
    assertEquals(1, metrics.framesRejected());
    // the refused frame goes on as a tombstone, so the sink accounts for it
    assertTrue(next.frames.get(0).getDropReason().contains("data is not a valid lz4 payload"),
        next.frames.get(0).getDropReason());
    assertEquals(TestFrames.f32("cam0", 3, 1, 64, 64).getData(), next.frames.get(1).getData());
  }
}
