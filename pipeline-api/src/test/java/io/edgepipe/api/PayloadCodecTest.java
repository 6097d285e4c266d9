package io.edgepipe.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.Codec;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Each codec is lossless and refuses, with a message, what is not its own encoding. */
class PayloadCodecTest {
  private static final int C = 1, H = 48, W = 64;

  /** A smooth image with noise in the low bits: compressible, but not trivially. */
  private static byte[] image() {
    Random random = new Random(3);
    byte[] b = new byte[C * H * W * 4];
    ByteBuffer f = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        f.putFloat(Math.round((x + y) / 4f + random.nextInt(2)) / 255f);
      }
    }
    return b;
  }

  private static Frame.Builder frame(PayloadCodec codec, byte[] raw) {
    return codec.encodeInto(Frame.newBuilder().setFlowId("cam0").setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(C).setH(H).setW(W)), raw);
  }

  @ParameterizedTest
  @EnumSource(PayloadCodec.class)
  void everyCodecGivesBackTheExactBytes(PayloadCodec codec) {
    byte[] raw = image();
    Frame f = frame(codec, raw).build();
    assertEquals(codec.proto(), f.getCodec());
    assertNull(new FrameValidator(1 << 20).problem(f));
    ByteBuffer back = FrameValidator.payload(f);
    byte[] got = new byte[back.remaining()];
    back.get(got);
    assertArrayEquals(raw, got);
    if (codec != PayloadCodec.NONE) {
      assertTrue(f.getData().size() < raw.length * 3 / 4, codec + " should compress this image, got " + f.getData().size());
    }
  }

  @Test
  void aFrameWithoutTheFieldIsUncompressed() {
    Frame f = Frame.newBuilder().setDtype(DType.U8).setShape(Shape.newBuilder().setC(1).setH(1).setW(3))
        .setData(ByteString.copyFrom(new byte[] {1, 2, 3})).build();
    assertEquals(PayloadCodec.NONE, PayloadCodec.of(f));
    assertEquals(3, FrameValidator.payload(f).remaining());
  }

  @Test
  void specNamesAreParsedAndUnknownOnesNamed() {
    assertEquals(PayloadCodec.ZSTD, PayloadCodec.parse("ZSTD"));
    assertEquals(PayloadCodec.LZ4, PayloadCodec.parse("lz4"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PayloadCodec.parse("gzip"));
    assertEquals("unknown codec 'gzip' (use none, lz4 or zstd)", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = PayloadCodec.class, names = {"LZ4", "ZSTD"})
  void corruptionInsideTheDataIsNamedWhenDecoding(PayloadCodec codec) {
    Frame good = frame(codec, image()).build();
    byte[] bytes = good.getData().toByteArray();
    // keep the header (a zstd frame's declared size stays right) and scramble the blocks
    Random random = new Random(9);
    for (int i = 20; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    Frame bad = good.toBuilder().setData(ByteString.copyFrom(bytes)).build();
    assertNull(new FrameValidator(1 << 20).problem(bad), "the header alone looks right");
    PayloadCodec.CorruptPayloadException e =
        assertThrows(PayloadCodec.CorruptPayloadException.class, () -> FrameValidator.payload(bad));
    assertTrue(e.getMessage().startsWith("data is not a valid " + codec.label() + " payload: "), e.getMessage());
  }

  @Test
  void aTruncatedLz4BlockIsNamed() {
    Frame good = frame(PayloadCodec.LZ4, image()).build();
    Frame cut = good.toBuilder().setData(good.getData().substring(0, good.getData().size() - 7)).build();
    PayloadCodec.CorruptPayloadException e =
        assertThrows(PayloadCodec.CorruptPayloadException.class, () -> FrameValidator.payload(cut));
    assertTrue(e.getMessage().startsWith("data is not a valid lz4 payload"), e.getMessage());
  }

  @Test
  void theValidatorNamesHeaderProblemsOfCompressedPayloads() {
    FrameValidator v = new FrameValidator(1 << 20);
    byte[] raw = image();
    Frame zstd = frame(PayloadCodec.ZSTD, raw).build();
    // the same zstd frame declared as a smaller image: its content size disagrees
    Frame smaller = zstd.toBuilder().setShape(Shape.newBuilder().setC(1).setH(H / 2).setW(W)).build();
    assertEquals("zstd frame declares " + raw.length + " bytes but the shape needs " + raw.length / 2
        + " (shape 1x24x64 F32)", v.problem(smaller));
    Frame notZstd = zstd.toBuilder().setData(ByteString.copyFromUtf8("definitely not zstd")).build();
    assertTrue(v.problem(notZstd).startsWith("data is not a zstd frame"), v.problem(notZstd));
    Frame empty = frame(PayloadCodec.LZ4, raw).setData(ByteString.EMPTY).build();
    assertTrue(v.problem(empty).startsWith("data is empty but a lz4 payload of 12288 bytes was declared"), v.problem(empty));
    Frame tooLong = frame(PayloadCodec.LZ4, raw).setData(ByteString.copyFrom(new byte[20_000])).build();
    assertTrue(v.problem(tooLong).startsWith("data is 20000 bytes, longer than any lz4 encoding"), v.problem(tooLong));
    Frame unknown = zstd.toBuilder().setCodecValue(7).build();
    assertEquals("codec value 7 is not a known codec (CODEC_NONE, CODEC_LZ4, CODEC_ZSTD)", v.problem(unknown));
    Frame plainButShort = frame(PayloadCodec.NONE, raw).setCodec(Codec.CODEC_NONE)
        .setData(ByteString.copyFrom(new byte[5])).build();
    assertTrue(v.problem(plainButShort).startsWith("data is 5 bytes but shape 1x48x64 F32 needs 12288"));
  }
}
