package io.edgepipe.producer.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code .npy} files {@link Npy} writes (and numpy's own '<f4' C-order files, v1-v3):
 * enough for tests and tools, not a general NumPy reader.
 */
public final class NpyReader {
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyReader() {}

  /** A float32 array and its shape; {@code data} is in C (row-major) order. */
  public record NpyArray(int[] shape, float[] data) {
    @Override
    public String toString() {
      return "NpyArray" + Arrays.toString(shape);
    }
  }

  public static NpyArray read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[6];
    if (b.remaining() < 10) {
      throw new IOException(file + " is not a .npy file (too short)");
    }
    b.get(magic);
    if (!Arrays.equals(magic, Npy.MAGIC)) {
      throw new IOException(file + " is not a .npy file (bad magic)");
    }
    int major = b.get();
    b.get(); // minor
    int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    byte[] h = new byte[headerLen];
    b.get(h);
    String header = new String(h, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file);
    if (!descr.equals("<f4")) {
      throw new IOException(file + ": dtype " + descr + " is not supported, only <f4");
    }
    if (group(FORTRAN, header, file).equals("True")) {
      throw new IOException(file + ": fortran_order arrays are not supported");
    }
    int[] shape = Arrays.stream(group(SHAPE, header, file).split(","))
        .map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (b.remaining() != n * Float.BYTES) {
      throw new IOException(file + ": " + b.remaining() + " data bytes for shape " + Arrays.toString(shape));
    }
    float[] data = new float[(int) n];
    b.asFloatBuffer().get(data);
    return new NpyArray(shape, data);
  }

  private static String group(Pattern p, String header, Path file) throws IOException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": .npy header lacks " + p.pattern().split("'")[1] + ": " + header.strip());
    }
    return m.group(1);
  }
}
