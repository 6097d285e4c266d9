package io.edgepipe.models.kinds.leakyrelu;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.UnaryKind;
import java.util.List;

/** ONNX LeakyRelu: {@code x >= 0 ? x : alpha*x}. */
public final class LeakyReluKind extends UnaryKind {
  public static final String KERNEL = "leakyrelu_f32";

  /** CPU twin: x where x >= 0, alpha*x below (NaN passes through). */
  public static final class LeakyReluKernel extends UnaryKernel {
    public LeakyReluKernel() {
      super(KERNEL);
    }

    @Override
    protected void apply(float[] in, float[] out, int n, float alpha, float unused) {
      for (int i = 0; i < n; i++) {
        float x = in[i];
        out[i] = x < 0 ? alpha * x : x;
      }
    }
  }

  @Override
  public String op() {
    return "LeakyRelu";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new LeakyReluKernel());
  }

  @Override
  public Layer create(NodeView node) {
    return new Unary(KERNEL, node.shape(0), node.floatAttr("alpha", 0.01f), 0, true, 0);
  }
}
