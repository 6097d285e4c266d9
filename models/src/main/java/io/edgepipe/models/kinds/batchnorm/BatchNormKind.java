package io.edgepipe.models.kinds.batchnorm;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Launcher;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;

/**
 * ONNX BatchNormalization in inference mode. After a Conv the importer folds it into the Conv's
 * weights; elsewhere it runs as this per-channel affine map.
 */
public final class BatchNormKind implements LayerKind {
  public static final String KERNEL = "batchnorm_f32";

  /**
   * CPU twin of {@code batchnorm_f32(in, scale, bias, mean, var, out, n, c, inner, eps)}:
   * {@code out = (in - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c]}.
   */
  public static final class BatchNormKernel extends Kernel {
    public BatchNormKernel() {
      super(KERNEL, "ptr in", "ptr scale", "ptr bias", "ptr mean", "ptr var", "ptr out", "int n", "int c",
          "int inner", "int eps");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "n", "c", "inner");
      long all = (long) v[6] * v[7] * v[8];
      return needs("in", all, "scale", v[7], "bias", v[7], "mean", v[7], "var", v[7], "out", all);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      int c = v[7];
      int inner = v[8];
      float eps = Float.intBitsToFloat(v[9]);
      for (int i = 0; i < v[6] * c; i++) {
        int ch = i % c;
        float inv = (float) (1.0 / Math.sqrt(b[4][ch] + eps)) * b[1][ch];
        float mean = b[3][ch];
        float bias = b[2][ch];
        for (int j = i * inner; j < (i + 1) * inner; j++) {
          b[5][j] = (b[0][j] - mean) * inv + bias;
        }
      }
    }
  }

  public record BatchNorm(int[] outputShape, float eps) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      l.launch(KERNEL, Shapes.elements(outputShape), KernelArgs.of().ptr(in.get(0)).ptr(in.get(1)).ptr(in.get(2))
          .ptr(in.get(3)).ptr(in.get(4)).ptr(out).i32(outputShape[0]).i32(outputShape[1])
          .i32(Shapes.product(outputShape, 2, outputShape.length)).i32(Launcher.bits(eps)));
    }
  }

  @Override
  public String op() {
    return "BatchNormalization";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new BatchNormKernel());
  }

  @Override
  public Layer create(NodeView node) {
    if (node.intAttr("training_mode", 0) != 0) {
      throw new UnsupportedNodeException(node.where() + ": training mode is not supported");
    }
    for (int i = 1; i <= 4; i++) {
      node.constant(i, "input " + i);
    }
    int[] x = node.shape(0);
    if (x.length < 2) {
      throw new UnsupportedNodeException(node.where() + ": input needs a channel dimension");
    }
    return new BatchNorm(x, node.floatAttr("epsilon", 1e-5f));
  }
}
