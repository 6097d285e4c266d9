package io.edgepipe.models.kinds.maxpool;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.PoolKind;
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
