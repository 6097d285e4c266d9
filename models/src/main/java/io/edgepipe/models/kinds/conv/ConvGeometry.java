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
    return of(v, 4);
  }

  /** From 16 int arguments starting at position {@code f} (n, cin, h, w, cout, kh, kw, sh, sw, pt, pl, dh, dw, group, oh, ow). */
  static ConvGeometry of(int[] v, int f) {
    return new ConvGeometry(v[f], v[f + 1], v[f + 2], v[f + 3], v[f + 4], v[f + 5], v[f + 6], v[f + 7], v[f + 8],
        v[f + 9], v[f + 10], v[f + 11], v[f + 12], v[f + 13], v[f + 14], v[f + 15]);
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
