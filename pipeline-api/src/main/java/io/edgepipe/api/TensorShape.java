package io.edgepipe.api;

import io.edgepipe.api.proto.Shape;

/** An immutable C x H x W shape; the Java twin of the wire {@link Shape}. */
public record TensorShape(int c, int h, int w) {
  public TensorShape {
    if (c <= 0 || h <= 0 || w <= 0) {
      throw new IllegalArgumentException("shape " + c + "x" + h + "x" + w + " has a dimension <= 0");
    }
  }

  public static TensorShape of(Shape s) {
    return new TensorShape(s.getC(), s.getH(), s.getW());
  }

  public Shape toProto() {
    return Shape.newBuilder().setC(c).setH(h).setW(w).build();
  }

  public long elements() {
    return (long) c * h * w;
  }

  @Override
  public String toString() {
    return c + "x" + h + "x" + w;
  }
}
