package io.edgepipe.models.kinds.concat;

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

/** ONNX Concat along any axis: one {@code copy_slice_f32} launch per input. */
public final class ConcatKind implements LayerKind {
  public static final String KERNEL = "copy_slice_f32";

  /**
   * CPU twin of {@code copy_slice_f32(in, out, outer, inner, outInner, offset)}: viewing in as
   * [outer, inner] and out as [outer, outInner], copies in's rows to columns [offset, offset+inner).
   */
  public static final class CopySliceKernel extends Kernel {
    public CopySliceKernel() {
      super(KERNEL, "ptr in", "ptr out", "int outer", "int inner", "int outInner", "int offset");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "outer", "inner", "outInner");
      nonNegative(v, "offset");
      if ((long) v[5] + v[3] > v[4]) {
        throw new IllegalArgumentException("offset + inner = " + ((long) v[5] + v[3]) + " exceeds outInner " + v[4]);
      }
      return needs("in", (long) v[2] * v[3], "out", (long) v[2] * v[4]);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      for (int r = 0; r < v[2]; r++) {
        System.arraycopy(b[0], r * v[3], b[1], r * v[4] + v[5], v[3]);
      }
    }
  }

  /** The layer: output shape and, per input, its inner size (axis length x trailing dims). */
  public record Concat(int[] outputShape, int outer, int[] inners) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      int outInner = 0;
      for (int inner : inners) {
        outInner += inner;
      }
      int offset = 0;
      for (int i = 0; i < inners.length; i++) {
        l.launch(KERNEL, (long) outer * inners[i], KernelArgs.of().ptr(in.get(i)).ptr(out)
            .i32(outer).i32(inners[i]).i32(outInner).i32(offset));
        offset += inners[i];
      }
    }
  }

  @Override
  public String op() {
    return "Concat";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new CopySliceKernel());
  }

  @Override
  public Layer create(NodeView node) {
    int[] first = node.shape(0);
    int axis = Shapes.axis(node.intAttr("axis", 0), first.length, node.where());
    int[] out = first.clone();
    out[axis] = 0;
    int[] inners = new int[node.inputCount()];
    for (int i = 0; i < node.inputCount(); i++) {
      int[] s = node.shape(i);
      for (int d = 0; d < s.length; d++) {
        if (d != axis && s[d] != first[d] || s.length != first.length) {
          throw new UnsupportedNodeException(node.where() + ": input " + i + " " + Shapes.format(s)
              + " does not match " + Shapes.format(first) + " off axis " + axis);
        }
      }
      out[axis] += s[axis];
      inners[i] = Shapes.product(s, axis, s.length);
    }
    return new Concat(out, Shapes.product(first, 0, axis), inners);
  }
}
