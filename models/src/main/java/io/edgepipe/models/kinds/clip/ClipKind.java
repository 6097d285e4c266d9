package io.edgepipe.models.kinds.clip;

import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.UnaryKind;
import java.util.List;

/** ONNX Clip: bounds from attributes (opset < 11) or constant inputs 1 and 2 (opset 11+). */
public final class ClipKind extends UnaryKind {
  public static final String KERNEL = "clip_f32";

  /** CPU twin: {@code out = min(max(in, lo), hi)}; a NaN stays NaN. */
  public static final class ClipKernel extends UnaryKernel {
    public ClipKernel() {
      super(KERNEL);
    }

    @Override
    protected void apply(float[] in, float[] out, int n, float lo, float hi) {
      for (int i = 0; i < n; i++) {
        out[i] = Math.min(Math.max(in[i], lo), hi);
      }
    }
  }

  @Override
  public String op() {
    return "Clip";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new ClipKernel());
  }

  @Override
  public Layer create(NodeView node) {
    float lo = node.floatAttr("min", Float.NEGATIVE_INFINITY);
    float hi = node.floatAttr("max", Float.POSITIVE_INFINITY);
    if (node.hasInput(1)) {
      lo = node.constant(1, "min")[0];
    }
    if (node.hasInput(2)) {
      hi = node.constant(2, "max")[0];
    }
    return new Unary(KERNEL, node.shape(0), lo, hi, true, Epilogue.CLIP);
  }
}
