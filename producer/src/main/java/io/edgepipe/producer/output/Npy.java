package io.edgepipe.producer.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Writes float32 arrays as NumPy {@code .npy} version 1.0 files, by hand (the format is a fixed
 * preamble and a Python-literal header): magic {@code \x93NUMPY}, version 1.0, a little-endian
 * uint16 header length, then {@code {'descr': '<f4', 'fortran_order': False, 'shape': (c, h, w), }}
 * padded with spaces and a final newline so the data starts at a multiple of 64 bytes, then the
 * raw little-endian floats in C order. {@code numpy.load} reads it directly.
 */
public final class Npy {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  static final int ALIGN = 64;

  private Npy() {}

  /** Writes {@code data} (C order, length = product of shape). */
  public static void write(Path file, float[] data, int... shape) throws IOException {
    checkLength(data.length, shape);
    ByteBuffer body = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    body.asFloatBuffer().put(data);
    writeRaw(file, body, shape);
  }

  /**
   * Writes float32 data that is already little-endian bytes (e.g. a frame's payload) without
   * converting it; reads {@code data} from its position to its limit, leaving it unchanged.
   */
  public static void write(Path file, ByteBuffer littleEndianFloats, int... shape) throws IOException {
    if (littleEndianFloats.remaining() % Float.BYTES != 0) {
      throw new IllegalArgumentException("byte length " + littleEndianFloats.remaining() + " is not a multiple of 4");
    }
    checkLength(littleEndianFloats.remaining() / Float.BYTES, shape);
    writeRaw(file, littleEndianFloats.duplicate(), shape);
  }

  /** The full preamble (magic, version, length, padded header) for a '<f4' C-order array. */
  static byte[] header(int... shape) {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(", ");
    }
    // Python tuple syntax: (5,) for one dim, (3, 4, 5) for more, () for a scalar
    String tuple = shape.length == 1 ? "(" + shape[0] + ",)"
        : "(" + (dims.length() > 0 ? dims.substring(0, dims.length() - 2) : "") + ")";
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // +1 for the newline
    int padded = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
    String text = dict + " ".repeat(padded - unpadded) + "\n";
    ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
    b.put(text.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  private static void writeRaw(Path file, ByteBuffer body, int... shape) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.wrap(header(shape));
      while (head.hasRemaining()) {
        ch.write(head);
      }
      while (body.hasRemaining()) {
        ch.write(body);
      }
    }
  }

  private static void checkLength(long n, int... shape) {
    long expected = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      expected *= d;
    }
    if (expected != n) {
      throw new IllegalArgumentException(n + " floats do not match shape " + Arrays.toString(shape));
    }
  }
}
