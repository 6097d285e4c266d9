package io.edgepipe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The interior columns of {@link Conv2d} for stride 1, written with the JDK's Vector API
 * ({@code jdk.incubator.vector}). Loaded only when the JVM resolved that module (see
 * {@link Conv2d#VECTOR}), so a JVM without it never links this class.
 *
 * <p>Each tap is a vector loaded straight from the input row at offset {@code x + kx} (C2's
 * auto-vectoriser needs every access at the same index, hence the shifted copies of the portable
 * path; the Vector API does not). Each lane does what the specification says, one float32
 * operation at a time: {@code acc = bias}, then for ci, ky, kx ascending
 * {@code acc = acc.add(in.mul(w))} (a separate multiply and add, never a fused one), so the
 * result is bit-identical to the naive loop. Four vectors are accumulated side by side because
 * one output vector is a chain of {@code cin*k*k} dependent additions; four independent chains
 * keep the adder busy. Columns past the last whole vector take the scalar loop of the caller.
 */
final class Conv2dVector {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  private Conv2dVector() {}

  /**
   * Writes {@code out[o + x]} for x in [0, n) as a whole number of vectors, and returns how many
   * columns it wrote (a multiple of the vector length, at most n).
   *
   * @param r0   index in {@code in} of input channel 0, row {@code iy0 + kyLo}, column of tap
   *             {@code kx = 0} of the first column
   * @param wr0  index in {@code wt} of weight {@code [co][0][kyLo][0]}
   */
  static int row(float[] in, float[] wt, float b, float[] out, int o, int n,
      int cin, int h, int w, int k, int r0, int wr0, int rows) {
    final FloatVector bias = FloatVector.broadcast(SPECIES, b);
    final int planeIn = h * w;
    final int planeWt = k * k;
    int x = 0;
    for (; x + 4 * L <= n; x += 4 * L) {
      FloatVector a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < rows; ky++) {
          final int r = r0 + ci * planeIn + ky * w + x;
          final int wr = wr0 + ci * planeWt + ky * k;
          for (int kx = 0; kx < k; kx++) {
            final FloatVector wv = FloatVector.broadcast(SPECIES, wt[wr + kx]);
            a0 = a0.add(FloatVector.fromArray(SPECIES, in, r + kx).mul(wv));
            a1 = a1.add(FloatVector.fromArray(SPECIES, in, r + kx + L).mul(wv));
            a2 = a2.add(FloatVector.fromArray(SPECIES, in, r + kx + 2 * L).mul(wv));
            a3 = a3.add(FloatVector.fromArray(SPECIES, in, r + kx + 3 * L).mul(wv));
          }
        }
      }
      a0.intoArray(out, o + x);
      a1.intoArray(out, o + x + L);
      a2.intoArray(out, o + x + 2 * L);
      a3.intoArray(out, o + x + 3 * L);
    }
    for (; x + L <= n; x += L) {
      FloatVector a = bias;
      for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < rows; ky++) {
          final int r = r0 + ci * planeIn + ky * w + x;
          final int wr = wr0 + ci * planeWt + ky * k;
          for (int kx = 0; kx < k; kx++) {
            a = a.add(FloatVector.fromArray(SPECIES, in, r + kx).mul(FloatVector.broadcast(SPECIES, wt[wr + kx])));
          }
        }
      }
      a.intoArray(out, o + x);
    }
    return x;
  }
}
