package io.edgepipe.kernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The parameters of one convolution layer, in the layout {@link Conv2d} and {@code conv2d_f32}
 * take: {@code weights[((co*cin + ci)*k + ky)*k + kx]} ({@code [cout][cin][k][k]}) and
 * {@code bias[co]}.
 *
 * <h2>File format "EPW1"</h2>
 * Little-endian, no padding, nothing after the last field:
 * <pre>
 *   offset 0   4 bytes  magic, ASCII "EPW1"
 *   offset 4   int32    cout  (>= 1)
 *   offset 8   int32    cin   (>= 1)
 *   offset 12  int32    k     (>= 1)
 *   offset 16  float32  weights[cout*cin*k*k], layout [cout][cin][k][k]
 *   then       float32  bias[cout]
 * </pre>
 * The file length is therefore exactly {@code 16 + 4*(cout*cin*k*k + cout)} bytes. Loading checks
 * the magic, the sizes, the exact length and that every value is finite, and reports a problem
 * as an {@link IllegalArgumentException} naming the file and what is wrong.
 *
 * <p>The arrays are shared, not copied (they are large and the kernels only read them); treat
 * them as read-only. {@code equals}/{@code hashCode} compare the contents.
 */
public record ConvWeights(int cout, int cin, int k, float[] weights, float[] bias) {

  /** ASCII "EPW1". */
  static final byte[] MAGIC = "EPW1".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = 16;
  /** Refuse absurd headers before allocating (a 3x3 layer of 4096x4096 channels is 600 MB). */
  static final long MAX_VALUES = 1L << 28;

  public ConvWeights {
    if (cout < 1 || cin < 1 || k < 1) {
      throw new IllegalArgumentException("cout, cin, k must be >= 1, got " + cout + ", " + cin + ", " + k);
    }
    long n = (long) cout * cin * k * k;
    if (n > MAX_VALUES) {
      throw new IllegalArgumentException("too many weights: " + cout + "x" + cin + "x" + k + "x" + k);
    }
    if (weights == null || weights.length != n) {
      throw new IllegalArgumentException("weights must have cout*cin*k*k = " + n + " elements, got "
          + (weights == null ? "null" : weights.length));
    }
    if (bias == null || bias.length != cout) {
      throw new IllegalArgumentException("bias must have cout = " + cout + " elements, got "
          + (bias == null ? "null" : bias.length));
    }
  }

  /**
   * Deterministic pseudo-random weights (the same for the same arguments on every JVM):
   * a {@link SplittableRandom} seeded with {@code seed} draws, in layout order, every weight
   * uniform in {@code [-1/sqrt(cin*k*k), +1/sqrt(cin*k*k))} (He/Kaiming-uniform-like scaling, so
   * activations keep their magnitude from layer to layer), then every bias uniform in
   * {@code [-0.01, 0.01)}. Each value is drawn as a double and rounded to float.
   */
  public static ConvWeights generate(long seed, int cout, int cin, int k) {
    if (cout < 1 || cin < 1 || k < 1 || (long) cout * cin * k * k > MAX_VALUES) {
      throw new IllegalArgumentException("bad layer size " + cout + "x" + cin + "x" + k + "x" + k);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double bound = 1.0 / Math.sqrt((double) cin * k * k);
    float[] w = new float[cout * cin * k * k];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextDouble(-bound, bound);
    }
    float[] b = new float[cout];
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) rnd.nextDouble(-0.01, 0.01);
    }
    return new ConvWeights(cout, cin, k, w, b);
  }

  /** Reads an EPW1 file (format in the class comment). */
  public static ConvWeights load(Path file) {
    return load(file, -1);
  }

  /**
   * Reads an EPW1 file and also checks that its {@code cin} is {@code expectedCin} (the channel
   * count of the frames the layer will see); a negative {@code expectedCin} skips that check.
   *
   * @throws IllegalArgumentException if the file is not a valid EPW1 file or cin does not match
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ConvWeights load(Path file, int expectedCin) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read weights file " + file + ": " + e.getMessage(), e);
    }
    if (bytes.length < HEADER_BYTES) {
      throw bad(file, "file is " + bytes.length + " bytes, shorter than the 16-byte header");
    }
    if (!Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
      throw bad(file, "magic is " + describeMagic(bytes) + ", expected \"EPW1\"");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int cout = buf.getInt(4);
    int cin = buf.getInt(8);
    int k = buf.getInt(12);
    if (cout < 1 || cin < 1 || k < 1) {
      throw bad(file, "header sizes cout=" + cout + ", cin=" + cin + ", k=" + k + " must all be >= 1");
    }
    long nw = (long) cout * cin * k * k;
    if (nw > MAX_VALUES) {
      throw bad(file, "header sizes cout=" + cout + ", cin=" + cin + ", k=" + k + " are implausibly large");
    }
    long expected = HEADER_BYTES + 4 * (nw + cout);
    if (bytes.length != expected) {
      throw bad(file, "file is " + bytes.length + " bytes, but cout=" + cout + ", cin=" + cin + ", k=" + k
          + " needs exactly " + expected + " (16 header + 4*(" + nw + " weights + " + cout + " bias))");
    }
    if (expectedCin >= 0 && cin != expectedCin) {
      throw bad(file, "layer has cin=" + cin + " input channels, expected cin=" + expectedCin);
    }
    float[] w = new float[(int) nw];
    float[] b = new float[cout];
    buf.position(HEADER_BYTES);
    buf.asFloatBuffer().get(w).get(b);
    checkFinite(file, "weight", w);
    checkFinite(file, "bias", b);
    return new ConvWeights(cout, cin, k, w, b);
  }

  /** Writes this layer as an EPW1 file (format in the class comment), replacing {@code file}. */
  public void save(Path file) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 4 * (weights.length + bias.length))
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(cout).putInt(cin).putInt(k);
    buf.asFloatBuffer().put(weights).put(bias);
    try {
      Files.write(file, buf.array());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write weights file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Output height/width of this layer for an input of {@code size} (see {@link Conv2d#outSize}). */
  public int outSize(int size, int stride, int pad) {
    return Conv2d.outSize(size, k, stride, pad);
  }

  private static void checkFinite(Path file, String what, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw bad(file, what + " " + i + " is " + values[i] + "; weights must be finite");
      }
    }
  }

  private static String describeMagic(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      s.append(String.format("%02x", b[i] & 0xff));
    }
    return "0x" + s;
  }

  private static IllegalArgumentException bad(Path file, String what) {
    return new IllegalArgumentException("weights file " + file + " is not a valid EPW1 file: " + what);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvWeights c && cout == c.cout && cin == c.cin && k == c.k
        && Arrays.equals(weights, c.weights) && Arrays.equals(bias, c.bias);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * (31 * cout + cin) + k) + Arrays.hashCode(weights)) + Arrays.hashCode(bias);
  }

  @Override
  public String toString() {
    return "ConvWeights[cout=" + cout + ", cin=" + cin + ", k=" + k + "]";
  }
}
