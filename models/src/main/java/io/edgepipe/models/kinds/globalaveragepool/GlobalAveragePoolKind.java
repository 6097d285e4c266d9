package io.edgepipe.models.kinds.globalaveragepool;

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

/** ONNX GlobalAveragePool: the mean of each channel's plane, kept as [N, C, 1, 1]. */
public final class GlobalAveragePoolKind implements LayerKind {
  public static final String KERNEL = "global_avgpool_f32";

  /** CPU twin of {@code global_avgpool_f32(in, out, nc, hw)}: plane sums in index order, / hw. */
  public static final class GlobalAveragePoolKernel extends Kernel {
    public GlobalAveragePoolKernel() {
      super(KERNEL, "ptr in", "ptr out", "int nc", "int hw");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "nc", "hw");
      return needs("in", (long) v[2] * v[3], "out", v[2]);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      int nc = v[2];
      int hw = v[3];
      float[] in = b[0];
      float[] out = b[1];
      int c = 0;
      // four planes at once: four independent chains of adds keep the adder busy (one chain waits
      // on each add's latency); each plane is still summed alone, in index order
      for (; c + 4 <= nc; c += 4) {
        int p0 = c * hw;
        int p1 = p0 + hw;
        int p2 = p1 + hw;
        int p3 = p2 + hw;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int i = 0; i < hw; i++) {
          s0 += in[p0 + i];
          s1 += in[p1 + i];
          s2 += in[p2 + i];
          s3 += in[p3 + i];
        }
        out[c] = s0 / hw;
        out[c + 1] = s1 / hw;
        out[c + 2] = s2 / hw;
        out[c + 3] = s3 / hw;
      }
      for (; c < nc; c++) {
        float sum = 0;
        for (int i = c * hw; i < (c + 1) * hw; i++) {
          sum += in[i];
        }
        out[c] = sum / hw;
      }
    }
  }

  public record GlobalAveragePool(int[] outputShape, int nc, int hw) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      l.launch(KERNEL, nc, KernelArgs.of().ptr(in.get(0)).ptr(out).i32(nc).i32(hw));
    }
  }

  @Override
  public String op() {
    return "GlobalAveragePool";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new GlobalAveragePoolKernel());
  }

  @Override
  public Layer create(NodeView node) {
    int[] x = node.shape(0);
    if (x.length < 3) {
      throw new UnsupportedNodeException(node.where() + ": input must have spatial dimensions");
    }
    int[] out = x.clone();
    for (int i = 2; i < out.length; i++) {
      out[i] = 1;
    }
    return new GlobalAveragePool(out, x[0] * x[1], Shapes.product(x, 2, x.length));
  }
}
