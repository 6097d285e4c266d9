package io.edgepipe.kernels;


/**
 * 2-D max pooling, the CPU twin of the CUDA kernel {@code maxpool_f32}.
 *
 * <h2>Specification</h2>
 * <ul>
 *   <li>float32, CHW, row-major; channels are pooled independently: {@code in[c][y][x]} at
 *       {@code (c*h + y)*w + x}, {@code out[c][oy][ox]} at {@code (c*oh + oy)*ow + ox}.</li>
 *   <li>Square window of {@code window x window}, step {@code stride}, no padding:
 *       {@code oh = (h - window)/stride + 1}, {@code ow = (w - window)/stride + 1} (floor;
 *       {@code h, w >= window} required). Trailing rows/columns that do not fill a window are
 *       dropped, as in PyTorch/OpenCV "valid" pooling. The caller passes {@code oh}/{@code ow},
 *       which must equal the formula.</li>
 *   <li>{@code out[c][oy][ox]} is the maximum of {@code in[c][oy*stride + ky][ox*stride + kx]},
 *       {@code 0 <= ky, kx < window}, with {@link Math#max(float, float)}'s order: {@code -0.0f}
 *       is smaller than {@code +0.0f}. If any value in the window is NaN the result is the
 *       canonical NaN {@code 0x7fc00000} (NaN propagates, as in PyTorch; the payload is fixed so
 *       that CPU and GPU agree bit for bit). The result therefore does not depend on the order
 *       of the scan. No arithmetic is done, so there is no rounding; the CUDA kernel implements
 *       the same rule explicitly and is bit-identical.</li>
 * </ul>
 * Output rows are split into contiguous bands, claimed one at a time by the calling thread and the
 * pool's threads ({@link Bands}) when the output has at least {@link Conv2d#PARALLEL_THRESHOLD}
 * elements; 2x2 windows with stride 2
 * take a vectorised path (see {@code rowTwoByTwo}).
 */
public final class MaxPool {
  private MaxPool() {}

  /**
   * @param in  f32[c*h*w] (may be longer)
   * @param out f32[c*oh*ow] (may be longer), must not be {@code in}
   * @throws IllegalArgumentException for inconsistent sizes or arrays that are too short
   */
  public static void forward(float[] in, float[] out, int c, int h, int w, int window, int stride,
      int oh, int ow) {
    int eh = outSize(h, window, stride);
    int ew = outSize(w, window, stride);
    if (c < 1) {
      throw new IllegalArgumentException("c must be >= 1, got " + c);
    }
    if (oh != eh || ow != ew) {
      throw new IllegalArgumentException("output " + oh + "x" + ow + " does not match input " + h + "x" + w
          + " with window " + window + ", stride " + stride + " (expected " + eh + "x" + ew + ")");
    }
    Conv2d.need("in", in, (long) c * h * w);
    Conv2d.need("out", out, (long) c * oh * ow);
    if (in == out) {
      throw new IllegalArgumentException("maxpool cannot run in place");
    }
    final int rows = c * oh;
    if ((long) rows * ow < Conv2d.PARALLEL_THRESHOLD || rows == 1) {
      band(in, out, h, w, window, stride, oh, ow, 0, rows);
      return;
    }
    final int n = Bands.count(rows);
    Bands.run(n, b -> band(in, out, h, w, window, stride, oh, ow, b * rows / n, (b + 1) * rows / n));
  }

  /** Output size along one axis: {@code (size - window)/stride + 1}. */
  public static int outSize(int size, int window, int stride) {
    if (window < 1 || stride < 1 || size < window) {
      throw new IllegalArgumentException("no output for size " + size + ", window " + window
          + ", stride " + stride + " (need window >= 1, stride >= 1, size >= window)");
    }
    return (size - window) / stride + 1;
  }

  /** Output rows [r0, r1) counted over all channels (row r is channel r / oh, output row r % oh). */
  private static void band(float[] in, float[] out, int h, int w, int window, int stride, int oh, int ow,
      int r0, int r1) {
    if (window == 2 && stride == 2) {
      final float[] top = new float[2 * ow];
      final float[] bottom = new float[2 * ow];
      for (int r = r0; r < r1; r++) {
        rowTwoByTwo(in, out, h, w, oh, ow, r / oh, r % oh, top, bottom);
      }
      return;
    }
    for (int r = r0; r < r1; r++) {
      row(in, out, h, w, window, stride, oh, ow, r / oh, r % oh);
    }
  }

  /**
   * The 2x2 stride-2 window (the thesis chain's), in two steps: the vertical maximum of the two
   * input rows over the whole row, then the maximum of each horizontal pair. C2 (JDK 17) only
   * vectorises a loop whose array accesses all use the loop index plus the same offset, so the
   * two input rows are first copied into scratch rows ({@code arraycopy} runs at memory speed);
   * the vertical step is then a vector {@code max}, and only half the maxima are left to the
   * scalar pair step, whose stride-2 loads C2 does not vectorise. The maximum is the same
   * whatever the order, so the result is bit-identical to the one-step loop.
   */
  private static void rowTwoByTwo(float[] in, float[] out, int h, int w, int oh, int ow, int ch, int oy,
      float[] top, float[] bottom) {
    final int n = 2 * ow; // a trailing odd column is outside every window
    final int r0 = (ch * h + 2 * oy) * w;
    System.arraycopy(in, r0, top, 0, n);
    System.arraycopy(in, r0 + w, bottom, 0, n);
    for (int x = 0; x < n; x++) {
      // Math.max is a branch-free intrinsic that C2 turns into vector instructions; a
      // compare-and-branch mispredicts on real activations
      top[x] = Math.max(top[x], bottom[x]);
    }
    final int o = (ch * oh + oy) * ow;
    for (int ox = 0; ox < ow; ox++) {
      final float m = Math.max(top[2 * ox], top[2 * ox + 1]);
      out[o + ox] = m != m ? Float.NaN : m; // canonical NaN (Math.max does not fix the payload)
    }
  }

  private static void row(float[] in, float[] out, int h, int w, int window, int stride,
      int oh, int ow, int ch, int oy) {
    final int o = (ch * oh + oy) * ow;
    final int r0 = (ch * h + oy * stride) * w;
    for (int ox = 0; ox < ow; ox++) {
      final int x0 = r0 + ox * stride;
      float m = Float.NEGATIVE_INFINITY;
      for (int ky = 0; ky < window; ky++) {
        final int r = x0 + ky * w;
        for (int kx = 0; kx < window; kx++) {
          m = Math.max(m, in[r + kx]);
        }
      }
      out[o + ox] = m != m ? Float.NaN : m; // canonical NaN (Math.max does not fix the payload)
    }
  }
}
