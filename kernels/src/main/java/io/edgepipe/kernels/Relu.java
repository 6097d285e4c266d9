package io.edgepipe.kernels;

import java.util.stream.IntStream;

/**
 * Rectified linear unit, the CPU twin of the CUDA kernel {@code relu_f32}.
 *
 * <h2>Specification</h2>
 * {@code out[i] = in[i] > 0 ? in[i] : +0.0f} for {@code i < n}, float32, any layout (element-wise).
 * <ul>
 *   <li>Positive values (including +Infinity) pass through unchanged, bit for bit.</li>
 *   <li>Negative values, -Infinity, {@code -0.0f} and {@code +0.0f} become {@code +0.0f}.</li>
 *   <li>NaN (any sign or payload) becomes {@code +0.0f}: the comparison {@code NaN > 0} is false.
 *       A NaN is the sign of an upstream bug, but ReLU is defined by the comparison and the CUDA
 *       kernel uses the same one, so the two stay bit-identical.</li>
 *   <li>{@code out} may be the same array as {@code in} (in place).</li>
 * </ul>
 * Large inputs (at least {@link Conv2d#PARALLEL_THRESHOLD} elements) are split into chunks run on
 * the common ForkJoinPool; the result does not depend on the split.
 */
public final class Relu {
  private Relu() {}

  private static final int CHUNK = 1 << 15;

  /**
   * @param in  f32[n] (may be longer)
   * @param out f32[n] (may be longer), may be {@code in}
   * @param n   number of elements, {@code >= 0}
   */
  public static void forward(float[] in, float[] out, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    Conv2d.need("in", in, n);
    Conv2d.need("out", out, n);
    if (n >= Conv2d.PARALLEL_THRESHOLD) {
      IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel()
          .forEach(c -> range(in, out, c * CHUNK, Math.min(n, c * CHUNK + CHUNK)));
    } else {
      range(in, out, 0, n);
    }
  }

  private static void range(float[] in, float[] out, int from, int to) {
    for (int i = from; i < to; i++) {
      // Branch-free form of "x > 0 ? x : +0": x > 0 exactly when its bits, read as an int, lie in
      // [1, 0x7f800000] (positive finite or +Inf; positive NaNs are above, negatives and -0 are
      // below zero as ints). mask is all ones in that case, zero otherwise, and bits & 0 is +0.0f.
      // A data-dependent branch here mispredicts on real activations (about half are negative).
      int bits = Float.floatToRawIntBits(in[i]);
      int t = bits - 1; // in [0, 0x7f800000) exactly when x > 0
      int mask = ((t - 0x7f800000) & ~t) >> 31;
      out[i] = Float.intBitsToFloat(bits & mask);
    }
  }
}
