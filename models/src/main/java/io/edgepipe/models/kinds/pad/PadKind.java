package io.edgepipe.models.kinds.pad;

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

/** ONNX Pad, constant mode, non-negative pads, rank <= 4; pads from the attribute or a constant input. */
public final class PadKind implements LayerKind {
  public static final String KERNEL = "pad_f32";

  /**
   * CPU twin of {@code pad_f32(in, out, d0..d3, b0..b3, o0..o3, value)}: out has dims o, the
   * input (dims d) sits at offset b, every other element is value.
   */
  public static final class PadKernel extends Kernel {
    public PadKernel() {
      super(KERNEL, "ptr in", "ptr out", "int d0", "int d1", "int d2", "int d3", "int b0", "int b1", "int b2",
          "int b3", "int o0", "int o1", "int o2", "int o3", "int value");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "d0", "d1", "d2", "d3", "o0", "o1", "o2", "o3");
      nonNegative(v, "b0", "b1", "b2", "b3");
      for (int i = 0; i < 4; i++) {
        if ((long) v[6 + i] + v[2 + i] > v[10 + i]) {
          throw new IllegalArgumentException("argument " + (10 + i) + " (o" + i + ") " + v[10 + i]
              + " cannot hold the input dimension " + v[2 + i] + " at offset " + v[6 + i]);
        }
      }
      return needs("in", (long) v[2] * v[3] * v[4] * v[5], "out", (long) v[10] * v[11] * v[12] * v[13]);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      float[] in = b[0], out = b[1];
      java.util.Arrays.fill(out, 0, v[10] * v[11] * v[12] * v[13], Float.intBitsToFloat(v[14]));
      for (int i0 = 0; i0 < v[2]; i0++) {
        for (int i1 = 0; i1 < v[3]; i1++) {
          for (int i2 = 0; i2 < v[4]; i2++) {
            int src = ((i0 * v[3] + i1) * v[4] + i2) * v[5];
            int dst = (((i0 + v[6]) * v[11] + i1 + v[7]) * v[12] + i2 + v[8]) * v[13] + v[9];
            System.arraycopy(in, src, out, dst, v[5]);
          }
        }
      }
    }
  }

  public record Pad(int[] outputShape, int[] dims, int[] begin, int[] outDims, float value) implements Layer {
    @Override
    public int[] deviceInputs(int inputCount) {
      return new int[] {0};
    }

    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      KernelArgs a = KernelArgs.of().ptr(in.get(0)).ptr(out);
      for (int d : dims) {
        a.i32(d);
      }
      for (int d : begin) {
        a.i32(d);
      }
      for (int d : outDims) {
        a.i32(d);
      }
      l.launch(KERNEL, Shapes.elements(outputShape), a.i32(Launcher.bits(value)));
    }

    @Override
    public long operations() {
      return 0;
    }
  }

  @Override
  public String op() {
    return "Pad";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new PadKernel());
  }

  @Override
  public Layer create(NodeView node) {
    String mode = node.stringAttr("mode", "constant");
    if (!mode.equals("constant")) {
      throw new UnsupportedNodeException(node.where() + ": mode " + mode + " is not supported (constant only)");
    }
    int[] x = node.shape(0);
    int r = x.length;
    int[] pads;
    float value = node.floatAttr("value", 0f);
    if (node.hasInput(1)) {
      float[] p = node.constant(1, "pads");
      pads = new int[p.length];
      for (int i = 0; i < p.length; i++) {
        pads[i] = (int) p[i];
      }
      if (node.hasInput(2)) {
        value = node.constant(2, "constant_value")[0];
      }
      if (node.hasInput(3)) {
        throw new UnsupportedNodeException(node.where() + ": the axes input is not supported");
      }
    } else {
      pads = node.intsAttr("pads", new int[2 * r]);
    }
    if (r > 4 || pads.length != 2 * r) {
      throw new UnsupportedNodeException(node.where() + ": rank above 4 or pads of the wrong length");
    }
    int[] out = new int[r];
    int[] begin = new int[4];
    int[] outDims = new int[] {1, 1, 1, 1};
    for (int i = 0; i < r; i++) {
      if (pads[i] < 0 || pads[i + r] < 0) {
        throw new UnsupportedNodeException(node.where() + ": negative pads (cropping) are not supported");
      }
      out[i] = x[i] + pads[i] + pads[i + r];
      begin[4 - r + i] = pads[i];
      outDims[4 - r + i] = out[i];
    }
    return new Pad(out, Shapes.padLeft(x, 4), begin, outDims, value);
  }
}
