package io.edgepipe.models.kinds;

import java.util.Arrays;

/** Small helpers on shapes (int[] dims, row-major). */
public final class Shapes {
  private Shapes() {}

  public static long elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Product of dims [from, to). */
  public static int product(int[] shape, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) {
      n *= shape[i];
    }
    return Math.toIntExact(n);
  }

  /** An axis that may be negative (counted from the end), checked against the rank. */
  public static int axis(long axis, int rank, String where) {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new UnsupportedNodeException(where + ": axis " + axis + " is outside rank " + rank);
    }
    return (int) a;
  }

  public static String format(int[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }

  /** {@code shape} padded with leading 1s to {@code rank}. */
  public static int[] padLeft(int[] shape, int rank) {
    if (shape.length > rank) {
      throw new UnsupportedNodeException("rank " + shape.length + " is above the supported " + rank);
    }
    int[] p = new int[rank];
    Arrays.fill(p, 1);
    System.arraycopy(shape, 0, p, rank - shape.length, shape.length);
    return p;
  }
}
