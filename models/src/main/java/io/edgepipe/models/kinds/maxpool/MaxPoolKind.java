package io.edgepipe.models.kinds.maxpool;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.PoolKind;
import io.edgepipe.models.kinds.VectorSupport;
import java.util.Arrays;
import java.util.List;

/** ONNX MaxPool (2-D): padding never wins (it counts as -infinity). */
public final class MaxPoolKind extends PoolKind {
  public static final String KERNEL = "maxpool2d_f32";

  /** CPU twin: the largest input in the window, NaN if one is NaN. */
  public static final class MaxPoolKernel extends PoolKernel {
    public MaxPoolKernel() {
      super(KERNEL);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      int nc = v[2], h = v[3], w = v[4], kh = v[5], kw = v[6], sh = v[7], sw = v[8], pt = v[9], pl = v[10];
      int oh = v[11], ow = v[12];
      boolean inside = pt == 0 && pl == 0 && (oh - 1) * sh + kh <= h && (ow - 1) * sw + kw <= w;
      if (!inside) {
        super.runCpu(v, b);
        return;
      }
      // every window lies inside the input: walk rows instead of windows (max does not depend on order)
      float[] in = b[0];
      float[] out = b[1];
      channels(nc, (long) nc * oh * ow * kh * kw, c -> {
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && VectorSupport.ENABLED) {
          MaxPoolVector.channel(in, out, c, h, w, oh, ow);
          return;
        }
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2) { // the common 2x2 pool: one pass per output row
          for (int y = 0; y < oh; y++) {
            int o = (c * oh + y) * ow;
            int r0 = (c * h + 2 * y) * w;
            int r1 = r0 + w;
            for (int x = 0; x < ow; x++) {
              out[o + x] = Math.max(Math.max(in[r0 + 2 * x], in[r0 + 2 * x + 1]), Math.max(in[r1 + 2 * x], in[r1 + 2 * x + 1]));
            }
          }
          return;
        }
        for (int y = 0; y < oh; y++) {
          int o = (c * oh + y) * ow;
          Arrays.fill(out, o, o + ow, Float.NEGATIVE_INFINITY);
          for (int ky = 0; ky < kh; ky++) {
            int r = (c * h + y * sh + ky) * w;
            for (int kx = 0; kx < kw; kx++) {
              for (int x = 0; x < ow; x++) {
                out[o + x] = Math.max(out[o + x], in[r + x * sw + kx]);
              }
            }
          }
        }
      });
    }

    @Override
    protected float window(float[] in, int base, int h, int w, int y0, int x0, int kh, int kw, int flag) {
      float m = Float.NEGATIVE_INFINITY;
      for (int y = Math.max(0, y0); y < Math.min(h, y0 + kh); y++) {
        for (int x = Math.max(0, x0); x < Math.min(w, x0 + kw); x++) {
          m = Math.max(m, in[base + y * w + x]);
        }
      }
      return m;
    }
  }

  @Override
  public String op() {
    return "MaxPool";
  }

  @Override
  protected String kernel() {
    return KERNEL;
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new MaxPoolKernel());
  }
}
