package io.edgepipe.models.kinds.averagepool;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.PoolKind;
import java.util.List;

/** ONNX AveragePool (2-D), count_include_pad 0 (default) or 1. */
public final class AveragePoolKind extends PoolKind {
  public static final String KERNEL = "avgpool2d_f32";

  /**
   * CPU twin: the sum of the window's inputs (row by row) divided by the number of inputs
   * inside the image, or by kh*kw with count_include_pad (flag = 1; the window clipped to the
   * padded extent, as ONNX defines it).
   */
  public static final class AveragePoolKernel extends PoolKernel {
    public AveragePoolKernel() {
      super(KERNEL);
    }

    @Override
    protected float window(float[] in, int base, int h, int w, int y0, int x0, int kh, int kw, int flag) {
      float sum = 0;
      int count = 0;
      for (int y = Math.max(0, y0); y < Math.min(h, y0 + kh); y++) {
        for (int x = Math.max(0, x0); x < Math.min(w, x0 + kw); x++) {
          sum += in[base + y * w + x];
          count++;
        }
      }
      return sum / (flag == 1 ? kh * kw : count);
    }
  }

  @Override
  public String op() {
    return "AveragePool";
  }

  @Override
  protected String kernel() {
    return KERNEL;
  }

  @Override
  protected int flag(NodeView node) {
    return (int) node.intAttr("count_include_pad", 0);
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new AveragePoolKernel());
  }
}
