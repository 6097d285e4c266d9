package io.edgepipe.models.graph;

import io.edgepipe.models.kinds.Shapes;

/**
 * A tensor known at import: an initializer, a Constant node, or something folded from them.
 * Values are kept as double so int64 shape arithmetic and float32 weights both survive exactly
 * (shape values stay far below 2^53).
 */
public record Const(int[] shape, double[] values, boolean integer) {
  public Const {
    if (Shapes.elements(shape) != values.length) {
      throw new IllegalArgumentException("constant of shape " + Shapes.format(shape) + " has " + values.length + " values");
    }
  }

  public static Const floats(int[] shape, float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return new Const(shape, d, false);
  }

  public float[] asFloats() {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  public long[] asLongs() {
    long[] l = new long[values.length];
    for (int i = 0; i < l.length; i++) {
      l[i] = (long) values[i];
    }
    return l;
  }

  public long bytes() {
    return values.length * 4L;
  }
}
