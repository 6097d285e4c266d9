package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Kernel;
import java.util.stream.IntStream;

/**
 * CPU twin of {@code conv2d_group_f32}: a grouped 2-D convolution (depthwise when group = cin =
 * cout) with strides, dilations and asymmetric zero padding, NCHW.
 * {@code out[n,o,y,x] = bias[o] + sum over (c in o's group, ky, kx) of
 * w[o, c, ky, kx] * in[n, g*cpg + c, y*sh - pt + ky*dh, x*sw - pl + kx*dw]} (zero outside), summed
 * in the order c, ky, kx. Output planes (n, o) are independent, so splitting them over threads
 * does not change a bit.
 */
public final class ConvKernel extends Kernel {
  public static final String NAME = "conv2d_group_f32";

  public ConvKernel() {
    super(NAME, "ptr in", "ptr weights", "ptr bias", "ptr out", "int n", "int cin", "int h", "int w",
        "int cout", "int kh", "int kw", "int sh", "int sw", "int pt", "int pl", "int dh", "int dw",
        "int group", "int oh", "int ow");
  }

  @Override
  public long[] elementsNeeded(int[] v) {
    positive(v, "n", "cin", "h", "w", "cout", "kh", "kw", "sh", "sw", "dh", "dw", "group", "oh", "ow");
    nonNegative(v, "pt", "pl");
    int group = v[17];
    if (v[5] % group != 0 || v[8] % group != 0) {
      throw new IllegalArgumentException("argument 17 (group) " + group + " must divide cin " + v[5] + " and cout " + v[8]);
    }
    return needs("in", (long) v[4] * v[5] * v[6] * v[7], "weights", (long) v[8] * (v[5] / group) * v[9] * v[10],
        "bias", v[8], "out", (long) v[4] * v[8] * v[18] * v[19]);
  }

  @Override
  public void runCpu(int[] v, float[][] b) {
    forward(b[0], b[1], b[2], b[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14],
        v[15], v[16], v[17], v[18], v[19]);
  }

  public static void forward(float[] in, float[] wt, float[] bias, float[] out, int n, int cin, int h, int w,
      int cout, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int group, int oh, int ow) {
    int planes = n * cout;
    long work = (long) planes * oh * ow * (cin / group) * kh * kw;
    IntStream range = IntStream.range(0, planes);
    (work >= 1 << 18 ? range.parallel() : range).forEach(p -> plane(in, wt, bias, out, p / cout, p % cout,
        cin, h, w, cout, kh, kw, sh, sw, pt, pl, dh, dw, group, oh, ow));
  }

  private static void plane(float[] in, float[] wt, float[] bias, float[] out, int b, int o, int cin, int h,
      int w, int cout, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int group, int oh, int ow) {
    int cpg = cin / group;
    int g = o / (cout / group);
    int outBase = (b * cout + o) * oh * ow;
    java.util.Arrays.fill(out, outBase, outBase + oh * ow, bias[o]);
    if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w) {
      // pointwise: each input plane is one contiguous run of the output plane (same sum order)
      int hw = h * w;
      for (int c = 0; c < cpg; c++) {
        float wv = wt[o * cpg + c];
        int inBase = (b * cin + g * cpg + c) * hw;
        for (int i = 0; i < hw; i++) {
          out[outBase + i] += wv * in[inBase + i];
        }
      }
      return;
    }
    for (int c = 0; c < cpg; c++) {
      int inBase = (b * cin + g * cpg + c) * h * w;
      int wBase = (o * cpg + c) * kh * kw;
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
          float wv = wt[wBase + ky * kw + kx];
          int offX = kx * dw - pl;
          // output columns whose input column x*sw + offX lies in [0, w)
          int x0 = offX >= 0 ? 0 : (-offX + sw - 1) / sw;
          int x1 = Math.min(ow, (w - 1 - offX) / sw + 1);
          if (w - 1 - offX < 0) {
            x1 = 0;
          }
          for (int y = 0; y < oh; y++) {
            int iy = y * sh - pt + ky * dh;
            if (iy < 0 || iy >= h) {
              continue;
            }
            int orow = outBase + y * ow;
            int irow = inBase + iy * w + offX;
            if (sw == 1) {
              for (int x = x0; x < x1; x++) {
                out[orow + x] += wv * in[irow + x];
              }
            } else {
              for (int x = x0; x < x1; x++) {
                out[orow + x] += wv * in[irow + x * sw];
              }
            }
          }
        }
      }
    }
  }
}
