package io.edgepipe.models.kinds.hardsigmoid;

import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.UnaryKind;
import java.util.List;

/** ONNX HardSigmoid: {@code max(0, min(1, alpha*x + beta))}. */
public final class HardSigmoidKind extends UnaryKind {
  public static final String KERNEL = "hardsigmoid_f32";

  /** CPU twin: alpha*x + beta, clamped to [0, 1]. */
  public static final class HardSigmoidKernel extends UnaryKernel {
    public HardSigmoidKernel() {
      super(KERNEL);
    }

    @Override
    protected void apply(float[] in, float[] out, int n, float alpha, float beta) {
      for (int i = 0; i < n; i++) {
        out[i] = Math.max(0f, Math.min(1f, alpha * in[i] + beta));
      }
    }
  }

  @Override
  public String op() {
    return "HardSigmoid";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new HardSigmoidKernel());
  }

  @Override
  public Layer create(NodeView node) {
    return new Unary(KERNEL, node.shape(0), node.floatAttr("alpha", 0.2f), node.floatAttr("beta", 0.5f), true, Epilogue.HARDSIGMOID);
  }
}
