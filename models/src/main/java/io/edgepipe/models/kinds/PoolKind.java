package io.edgepipe.models.kinds;

import io.edgepipe.kernels.Bands;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * 2-D pooling over NCHW windows with strides, asymmetric pads and ceil_mode, launched as
 * {@code kernel(in, out, nc, h, w, kh, kw, sh, sw, pt, pl, oh, ow, flag)}; MaxPool and
 * AveragePool differ only in the window reduction.
 */
public abstract class PoolKind implements LayerKind {

  public record Pool(String kernel, int[] outputShape, int nc, int h, int w, int kh, int kw, int sh, int sw,
      int pt, int pl, int flag) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      l.launch(kernel, Shapes.elements(outputShape), KernelArgs.of().ptr(in.get(0)).ptr(out).i32(nc).i32(h).i32(w)
          .i32(kh).i32(kw).i32(sh).i32(sw).i32(pt).i32(pl).i32(outputShape[2]).i32(outputShape[3]).i32(flag));
    }
  }

  @Override
  public Layer create(NodeView node) {
    int[] x = node.shape(0);
    if (x.length != 4) {
      throw new UnsupportedNodeException(node.where() + ": only 2-D pooling (rank-4 input) is supported");
    }
    int[] k = node.intsAttr("kernel_shape", null);
    if (k == null || k.length != 2) {
      throw new UnsupportedNodeException(node.where() + ": kernel_shape must have 2 values");
    }
    int[] s = node.intsAttr("strides", new int[] {1, 1});
    int[] p = node.intsAttr("pads", new int[] {0, 0, 0, 0});
    int[] d = node.intsAttr("dilations", new int[] {1, 1});
    if (d[0] != 1 || d[1] != 1) {
      throw new UnsupportedNodeException(node.where() + ": dilated pooling is not supported");
    }
    String autoPad = node.stringAttr("auto_pad", "NOTSET");
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      throw new UnsupportedNodeException(node.where() + ": auto_pad " + autoPad + " is not supported");
    }
    node.refuseUnless("storage_order", 0L);
    boolean ceil = node.intAttr("ceil_mode", 0) == 1;
    int oh = outSize(x[2], k[0], s[0], p[0], p[2], ceil);
    int ow = outSize(x[3], k[1], s[1], p[1], p[3], ceil);
    if (oh < 1 || ow < 1) {
      throw new UnsupportedNodeException(node.where() + ": the window does not fit the input");
    }
    return new Pool(kernel(), new int[] {x[0], x[1], oh, ow}, x[0] * x[1], x[2], x[3], k[0], k[1], s[0], s[1],
        p[0], p[1], flag(node));
  }

  static int outSize(int in, int k, int s, int padBegin, int padEnd, boolean ceil) {
    int span = in + padBegin + padEnd - k;
    if (span < 0) {
      return 0;
    }
    int out = (ceil ? (span + s - 1) / s : span / s) + 1;
    // ceil mode: the last window must start inside the input or its leading pad
    if (ceil && (out - 1) * s >= in + padBegin) {
      out--;
    }
    return out;
  }

  protected abstract String kernel();

  /** The kernel's last int argument (AveragePool: count_include_pad). */
  protected int flag(NodeView node) {
    return 0;
  }

  /** Base of the pooling kernels: size rule and window walk; subclasses reduce a window. */
  public abstract static class PoolKernel extends Kernel {
    protected PoolKernel(String name) {
      super(name, "ptr in", "ptr out", "int nc", "int h", "int w", "int kh", "int kw", "int sh", "int sw",
          "int pt", "int pl", "int oh", "int ow", "int flag");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "nc", "h", "w", "kh", "kw", "sh", "sw", "oh", "ow");
      nonNegative(v, "pt", "pl");
      return needs("in", (long) v[2] * v[3] * v[4], "out", (long) v[2] * v[11] * v[12]);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      int nc = v[2], h = v[3], w = v[4], kh = v[5], kw = v[6], sh = v[7], sw = v[8], pt = v[9], pl = v[10];
      int oh = v[11], ow = v[12], flag = v[13];
      float[] in = b[0];
      float[] out = b[1];
      channels(nc, nc * (long) oh * ow * kh * kw, c -> {
        for (int y = 0; y < oh; y++) {
          int y0 = y * sh - pt;
          for (int x = 0; x < ow; x++) {
            int x0 = x * sw - pl;
            out[(c * oh + y) * ow + x] = window(in, c * h * w, h, w, y0, x0, kh, kw, flag);
          }
        }
      });
    }

    /** Runs {@code plane} for channels 0..nc-1, in bands on the kernels' pool when there is enough work. */
    protected static void channels(int nc, long work, IntConsumer plane) {
      if (work >= 1 << 16 && nc > 1) {
        Bands.run(nc, plane);
      } else {
        for (int c = 0; c < nc; c++) {
          plane.accept(c);
        }
      }
    }

    /** Reduces the window whose top-left corner is (y0, x0) (may lie in the padding). */
    protected abstract float window(float[] in, int base, int h, int w, int y0, int x0, int kh, int kw, int flag);
  }
}
