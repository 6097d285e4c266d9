package io.edgepipe.models.kinds.reshape;

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
 * ONNX Reshape with a constant shape (0 keeps a dimension, -1 infers one). Row-major data does
 * not move: the layer is a {@code copy_f32} into the output buffer. Flatten, Squeeze and
 * Unsqueeze that run on computed tensors use the same layer.
 */
public final class ReshapeKind implements LayerKind {
  public static final String KERNEL = "copy_f32";

  /** CPU twin of {@code copy_f32(in, out, n)}. */
  public static final class CopyKernel extends Kernel {
    public CopyKernel() {
      super(KERNEL, "ptr in", "ptr out", "int n");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      return sameSizeInOut(v);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      System.arraycopy(b[0], 0, b[1], 0, v[2]);
    }
  }

  /** A layer that gives its input a new shape. */
  public record Reshaped(int[] outputShape) implements Layer {
    @Override
    public int[] deviceInputs(int inputCount) {
      return new int[] {0};
    }

    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      long n = Shapes.elements(outputShape);
      l.launch(KERNEL, n, KernelArgs.of().ptr(in.get(0)).ptr(out).i32((int) n));
    }

    @Override
    public long operations() {
      return 0;
    }
  }

  @Override
  public String op() {
    return "Reshape";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new CopyKernel());
  }

  @Override
  public Layer create(NodeView node) {
    float[] target = node.constant(1, "shape");
    return new Reshaped(resolve(node.shape(0), target, node.intAttr("allowzero", 0) == 1, node.where()));
  }

  /** ONNX's reshape rule: 0 copies the input's dimension (unless allowzero), -1 takes the rest. */
  public static int[] resolve(int[] in, float[] target, boolean allowZero, String where) {
    int[] out = new int[target.length];
    int infer = -1;
    long known = 1;
    for (int i = 0; i < target.length; i++) {
      long t = (long) target[i];
      if (t == -1) {
        if (infer >= 0) {
          throw new UnsupportedNodeException(where + ": more than one -1 in the shape");
        }
        infer = i;
        continue;
      }
      out[i] = t == 0 && !allowZero ? in[i] : Math.toIntExact(t);
      known *= out[i];
    }
    long total = Shapes.elements(in);
    if (infer >= 0) {
      if (known == 0 || total % known != 0) {
        throw new UnsupportedNodeException(where + ": cannot infer -1 for " + total + " elements");
      }
      out[infer] = (int) (total / known);
    }
    if (Shapes.elements(out) != total) {
      throw new UnsupportedNodeException(where + ": shape " + Shapes.format(out) + " does not hold "
          + Shapes.format(in));
    }
    return out;
  }
}
