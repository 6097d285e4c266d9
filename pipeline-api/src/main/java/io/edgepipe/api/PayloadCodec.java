package io.edgepipe.api;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.Codec;
import io.edgepipe.api.proto.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * How a hop encodes its payload on the wire ({@code Frame.codec}), on top of its element type.
 * Every codec is lossless: the decoded bytes are exactly the CHW payload that the frame's shape
 * and dtype describe, so a frame's decoded length is always known before decoding.
 * <ul>
 *   <li>{@code none}: the payload itself (the default; a frame without the field is this).</li>
 *   <li>{@code lz4}: one LZ4 block, fast compressor. Cheap at both ends (GB/s), modest ratio.</li>
 *   <li>{@code zstd}: one Zstandard frame at level {@value #ZSTD_LEVEL} with its content size in
 *       the header; a better ratio than lz4 for several times its CPU.</li>
 * </ul>
 * A stage encodes where it produces its output payload and decodes where it reads its input.
 * Decoding never trusts the data: a payload that is not a valid block of the codec, or decodes
 * to a length other than the shape's, raises {@link CorruptPayloadException} naming the problem.
 */
public enum PayloadCodec {
  NONE("none", Codec.CODEC_NONE),
  LZ4("lz4", Codec.CODEC_LZ4),
  ZSTD("zstd", Codec.CODEC_ZSTD);

  /** Zstandard level: the fastest regular level, since a link codec must keep up with the link. */
  public static final int ZSTD_LEVEL = 1;

  /**
   * LZ4's codecs, loaded on first use: loading the native library can take seconds on a busy
   * machine, which a process that never uses lz4 (or a service answering its first call) should
   * not pay.
   */
  private static final class Lz4 {
    static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
  }
  /** A zstd frame header is at most 18 bytes; the content size is read from it alone. */
  private static final int ZSTD_MAX_HEADER = 18;

  private final String label;
  private final Codec proto;

  PayloadCodec(String label, Codec proto) {
    this.label = label;
    this.proto = proto;
  }

  /** The name used in specs, tables and flags ({@code none}, {@code lz4}, {@code zstd}). */
  public String label() {
    return label;
  }

  public Codec proto() {
    return proto;
  }

  /** The codec named {@code name} (case-insensitive); IllegalArgumentException naming the choices. */
  public static PayloadCodec parse(String name) {
    for (PayloadCodec c : values()) {
      if (c.label.equals(name.toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown codec '" + name + "' (use none, lz4 or zstd)");
  }

  /** The codec of a frame's {@code codec} field; IllegalArgumentException for a value we do not know. */
  public static PayloadCodec of(Frame frame) {
    switch (frame.getCodec()) {
      case CODEC_NONE:
        return NONE;
      case CODEC_LZ4:
        return LZ4;
      case CODEC_ZSTD:
        return ZSTD;
      default:
        throw new IllegalArgumentException("codec value " + frame.getCodecValue()
            + " is not a known codec (CODEC_NONE, CODEC_LZ4, CODEC_ZSTD)");
    }
  }

  /** Largest encoded size of a {@code rawBytes} payload: anything longer is not a valid encoding. */
  public long maxEncodedBytes(long rawBytes) {
    switch (this) {
      case LZ4:
        return rawBytes + rawBytes / 255 + 16; // LZ4_COMPRESSBOUND
      case ZSTD:
        return Zstd.compressBound(rawBytes);
      default:
        return rawBytes;
    }
  }

  /** Encodes {@code raw[off, off+len)}; NONE wraps the array without copying it. */
  public ByteString encode(byte[] raw, int off, int len) {
    switch (this) {
      case LZ4: {
        byte[] dst = new byte[Lz4.COMPRESSOR.maxCompressedLength(len)];
        return trimmed(dst, Lz4.COMPRESSOR.compress(raw, off, len, dst, 0, dst.length));
      }
      case ZSTD: {
        byte[] dst = new byte[Math.toIntExact(Zstd.compressBound(len))];
        long n = Zstd.compressByteArray(dst, 0, dst.length, raw, off, len, ZSTD_LEVEL);
        if (Zstd.isError(n)) { // cannot happen with a bound-sized destination; do not hide it
          throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(n));
        }
        return trimmed(dst, (int) n);
      }
      default:
        return UnsafeByteOperations.unsafeWrap(raw, off, len);
    }
  }

  /** Encodes the whole of {@code raw}. */
  public ByteString encode(byte[] raw) {
    return encode(raw, 0, raw.length);
  }

  /** Sets {@code data} and {@code codec} of a frame being built from its raw payload. */
  public Frame.Builder encodeInto(Frame.Builder frame, byte[] raw) {
    return frame.setData(encode(raw)).setCodec(proto);
  }

  /**
   * Decodes {@code wire} into a fresh array of exactly {@code rawBytes}.
   *
   * @throws CorruptPayloadException when {@code wire} is not a valid encoding of that many bytes
   */
  public byte[] decode(ByteString wire, int rawBytes) {
    if (this == NONE) {
      if (wire.size() != rawBytes) {
        throw new CorruptPayloadException("data is " + wire.size() + " bytes but the shape needs " + rawBytes);
      }
      return wire.toByteArray();
    }
    byte[] src = contiguous(wire);
    byte[] dst = new byte[rawBytes];
    int n;
    try {
      if (this == LZ4) {
        n = Lz4.DECOMPRESSOR.decompress(src, 0, src.length, dst, 0, rawBytes);
      } else {
        long r = Zstd.decompressByteArray(dst, 0, rawBytes, src, 0, src.length);
        if (Zstd.isError(r)) {
          throw new CorruptPayloadException(corrupt(Zstd.getErrorName(r)));
        }
        n = (int) r;
      }
    } catch (LZ4Exception | com.github.luben.zstd.ZstdException e) {
      throw new CorruptPayloadException(corrupt(e.getMessage()));
    }
    if (n != rawBytes) {
      throw new CorruptPayloadException(corrupt("it decodes to " + n + " bytes, the shape needs " + rawBytes));
    }
    return dst;
  }

  /**
   * The frame's payload as the little-endian CHW bytes its shape and dtype describe: the data
   * itself (read in place) for NONE, a decoded copy otherwise. Call on a validated frame.
   *
   * @throws CorruptPayloadException when a compressed payload does not decode to that length
   */
  public static ByteBuffer payloadOf(Frame frame) {
    PayloadCodec codec = of(frame);
    if (codec == NONE) {
      return frame.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    long raw = (long) frame.getShape().getC() * frame.getShape().getH() * frame.getShape().getW()
        * ElementType.sizeOf(frame.getDtype());
    return ByteBuffer.wrap(codec.decode(frame.getData(), Math.toIntExact(raw))).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * What the header alone says is wrong with an encoded payload that should decode to
   * {@code rawBytes}, or null. Cheap (no decoding): a length outside the codec's bound, or a zstd
   * frame that declares another content size. Corruption inside the data is found by {@link #decode}.
   */
  String headerProblem(ByteString wire, long rawBytes) {
    if (this == NONE) {
      return wire.size() == rawBytes ? null : "data is " + wire.size() + " bytes but the shape needs " + rawBytes;
    }
    if (wire.isEmpty()) {
      return "data is empty but a " + label + " payload of " + rawBytes + " bytes was declared";
    }
    if (wire.size() > maxEncodedBytes(rawBytes)) {
      return "data is " + wire.size() + " bytes, longer than any " + label + " encoding of the "
          + rawBytes + " bytes the shape needs";
    }
    if (this == ZSTD) {
      byte[] head = wire.substring(0, Math.min(wire.size(), ZSTD_MAX_HEADER)).toByteArray();
      long declared = Zstd.getFrameContentSize(head, 0, head.length);
      if (declared == -1) { // ZSTD_CONTENTSIZE_UNKNOWN
        return "data is a zstd frame that does not declare its content size";
      }
      if (declared < 0) {
        return "data is not a zstd frame (bad magic number or header)";
      }
      if (declared != rawBytes) {
        return "zstd frame declares " + declared + " bytes but the shape needs " + rawBytes;
      }
    }
    return null;
  }

  private String corrupt(String why) {
    return "data is not a valid " + label + " payload: " + why;
  }

  /** The array itself, trimmed when the encoding is much shorter than the bound it was made in. */
  private static ByteString trimmed(byte[] dst, int n) {
    return n < dst.length / 2 ? ByteString.copyFrom(dst, 0, n) : UnsafeByteOperations.unsafeWrap(dst, 0, n);
  }

  /** The bytes of {@code s} in one array (a copy; compressed payloads are the small side). */
  private static byte[] contiguous(ByteString s) {
    return s.toByteArray();
  }

  /** A payload that is not a valid encoding of the length its frame's shape and dtype say. */
  public static final class CorruptPayloadException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CorruptPayloadException(String message) {
      super(message);
    }
  }
}
