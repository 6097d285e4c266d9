package io.edgepipe.models.kinds.softmax;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Launcher;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;

/**
 * ONNX Softmax. Opset 13+ normalises along {@code axis}; before 13 over all dimensions from
 * {@code axis} on (flattened). Both become (outer, n, inner) for the kernel.
 */
public final class SoftmaxKind implements LayerKind {
  public static final String KERNEL = "softmax_f32";

  /**
   * CPU twin of {@code softmax_f32(in, out, outer, n, inner)}: for each (o, i),
   * {@code out = exp(x - max) / sum(exp(x - max))} over the n elements of stride inner.
   */
  public static final class SoftmaxKernel extends Kernel {
    public SoftmaxKernel() {
      super(KERNEL, "ptr in", "ptr out", "int outer", "int n", "int inner");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "outer", "n", "inner");
      long all = (long) v[2] * v[3] * v[4];
      return needs("in", all, "out", all);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      int n = v[3], inner = v[4];
      for (int o = 0; o < v[2]; o++) {
        for (int i = 0; i < inner; i++) {
          int base = o * n * inner + i;
          float max = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < n; j++) {
            max = Math.max(max, b[0][base + j * inner]);
          }
          float sum = 0;
          for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(b[0][base + j * inner] - max);
            b[1][base + j * inner] = e;
            sum += e;
          }
          for (int j = 0; j < n; j++) {
            b[1][base + j * inner] /= sum;
          }
        }
      }
    }
  }

  public record Softmax(int[] outputShape, int outer, int n, int inner) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      l.launch(KERNEL, (long) outer * inner, KernelArgs.of().ptr(in.get(0)).ptr(out).i32(outer).i32(n).i32(inner));
    }
  }

  @Override
  public String op() {
    return "Softmax";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new SoftmaxKernel());
  }

  @Override
  public Layer create(NodeView node) {
    int[] x = node.shape(0);
    boolean legacy = node.opset() < 13;
    int axis = Shapes.axis(node.intAttr("axis", legacy ? 1 : -1), x.length, node.where());
    int outer = Shapes.product(x, 0, axis);
    if (legacy) {
      return new Softmax(x, outer, Shapes.product(x, axis, x.length), 1);
    }
    return new Softmax(x, outer, x[axis], Shapes.product(x, axis + 1, x.length));
  }
}
