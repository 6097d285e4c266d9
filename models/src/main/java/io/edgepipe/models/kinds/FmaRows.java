package io.edgepipe.models.kinds;

/**
 * The inner loop of the CPU twins that sum products (Conv, and any kind written as rows of
 * operands times weights): {@code acc[x] = fma(w[k], rows[k][x], acc[x])} for k ascending.
 *
 * <p>Why it looks like this: HotSpot C2 in JDK 17 auto-vectorises a loop only when every array
 * access in it uses the same index ({@code acc[x]}, {@code row[x]}; a loop over
 * {@code in[off + x]} and {@code acc[x]} stays scalar), and only when the body is small enough
 * to unroll. Each operand row is therefore its own array indexed from 0, and a pass folds four
 * rows into the accumulator (measured here: 4 rows per pass vectorise reliably, 8 do not), which
 * cuts the accumulator's loads and stores to a quarter. Chaining the four {@code fma}s in k order
 * keeps every element's sequence of operations exactly that of a naive loop over k, so the
 * result does not depend on how a caller blocks or threads the work.
 */
public final class FmaRows {
  private FmaRows() {}

  /**
   * For x in [0, n): {@code acc[x] = fma(w[wo + k], rows[r0 + k][x], acc[x])} for k = 0 .. count-1,
   * in that order.
   */
  public static void accumulate(float[] acc, float[][] rows, int r0, int count, float[] w, int wo, int n) {
    int k = 0;
    for (; k + 4 <= count; k += 4) {
      pass4(acc, rows[r0 + k], rows[r0 + k + 1], rows[r0 + k + 2], rows[r0 + k + 3], w[wo + k], w[wo + k + 1],
          w[wo + k + 2], w[wo + k + 3], n);
    }
    switch (count - k) {
      case 3 -> pass3(acc, rows[r0 + k], rows[r0 + k + 1], rows[r0 + k + 2], w[wo + k], w[wo + k + 1], w[wo + k + 2], n);
      case 2 -> pass2(acc, rows[r0 + k], rows[r0 + k + 1], w[wo + k], w[wo + k + 1], n);
      case 1 -> pass1(acc, rows[r0 + k], w[wo + k], n);
      default -> { }
    }
  }

  private static void pass4(float[] acc, float[] s0, float[] s1, float[] s2, float[] s3, float w0, float w1, float w2,
      float w3, int n) {
    for (int x = 0; x < n; x++) {
      acc[x] = Math.fma(w3, s3[x], Math.fma(w2, s2[x], Math.fma(w1, s1[x], Math.fma(w0, s0[x], acc[x]))));
    }
  }

  private static void pass3(float[] acc, float[] s0, float[] s1, float[] s2, float w0, float w1, float w2, int n) {
    for (int x = 0; x < n; x++) {
      acc[x] = Math.fma(w2, s2[x], Math.fma(w1, s1[x], Math.fma(w0, s0[x], acc[x])));
    }
  }

  private static void pass2(float[] acc, float[] s0, float[] s1, float w0, float w1, int n) {
    for (int x = 0; x < n; x++) {
      acc[x] = Math.fma(w1, s1[x], Math.fma(w0, s0[x], acc[x]));
    }
  }

  private static void pass1(float[] acc, float[] s0, float w0, int n) {
    for (int x = 0; x < n; x++) {
      acc[x] = Math.fma(w0, s0[x], acc[x]);
    }
  }
}
