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
   * columns it wrote (a multiple of the vector length, at most n). Output column x is
   * {@code b} plus, for each tap t < taps in order, {@code in[base + offs[t] + x] * wts[t]}.
   * (One flat loop over the taps: C2 in JDK 17 keeps vectors carried through nested loops in
   * heap boxes, which made the first version ten times slower.)
   */
  static int row(float[] in, int base, int[] offs, float[] wts, int taps, float b,
      float[] out, int o, int n) {
    final FloatVector bias = FloatVector.broadcast(SPECIES, b);
    int x = 0;
    for (; x + 4 * L <= n; x += 4 * L) {
      FloatVector a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      for (int t = 0; t < taps; t++) {
        final int r = base + offs[t] + x;
        final FloatVector wv = FloatVector.broadcast(SPECIES, wts[t]);
        a0 = a0.add(FloatVector.fromArray(SPECIES, in, r).mul(wv));
        a1 = a1.add(FloatVector.fromArray(SPECIES, in, r + L).mul(wv));
        a2 = a2.add(FloatVector.fromArray(SPECIES, in, r + 2 * L).mul(wv));
        a3 = a3.add(FloatVector.fromArray(SPECIES, in, r + 3 * L).mul(wv));
      }
      a0.intoArray(out, o + x);
      a1.intoArray(out, o + x + L);
      a2.intoArray(out, o + x + 2 * L);
      a3.intoArray(out, o + x + 3 * L);
    }
    for (; x + L <= n; x += L) {
      FloatVector a = bias;
      for (int t = 0; t < taps; t++) {
        a = a.add(FloatVector.fromArray(SPECIES, in, base + offs[t] + x).mul(FloatVector.broadcast(SPECIES, wts[t])));
      }
      a.intoArray(out, o + x);
    }
    return x;
  }
}
