package io.edgepipe.models.kinds.conv;

/**
 * The sizes of one grouped 2-D convolution launch, as {@code conv2d_group_f32} receives them, and
 * the view of it as one matrix product per (image, group): the output block of group g is
 * {@code outPerGroup x pixels}, the weights {@code outPerGroup x taps}, and the operands are
 * {@code taps} rows of {@code pixels}, one per (input channel of the group, ky, kx) in that order.
 */
record ConvGeometry(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int pt, int pl, int dh,
    int dw, int group, int oh, int ow) {

  /** From the kernel's int arguments (positions 4..19 of its signature). */
  static ConvGeometry of(int[] v) {
    return new ConvGeometry(v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16],
        v[17], v[18], v[19]);
  }

  int inPerGroup() {
    return cin / group;
  }

  int outPerGroup() {
    return cout / group;
  }

  /** Operand rows per group: one per input channel of the group and tap. */
  int taps() {
    return inPerGroup() * kh * kw;
  }

  int pixels() {
    return oh * ow;
  }

  long multiplyAdds() {
    return (long) n * cout * pixels() * taps();
  }

  /** A 1x1, stride-1, unpadded convolution: each operand row is a run of one input plane. */
  boolean pointwise() {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
  }
}
