package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Launcher;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;

/** ONNX Conv, 2-D: groups (depthwise included), strides, dilations, asymmetric pads, auto_pad. */
public final class ConvKind implements LayerKind {

  /** The parameters of one Conv node; the weights and bias are its inputs 1 and 2. */
  public record Spec(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int pt, int pl,
      int pb, int pr, int dh, int dw, int group) implements Layer, Epilogue.Host {
    public int oh() {
      return (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
    }

    public int ow() {
      return (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
    }

    @Override
    public int[] outputShape() {
      return new int[] {n, cout, oh(), ow()};
    }

    @Override
    public long operations() {
      return (long) n * cout * oh() * ow() * (cin / group) * kh * kw;
    }

    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      l.launch(ConvKernel.NAME, (long) n * cout * oh() * ow(), KernelArgs.of().ptr(in.get(0)).ptr(in.get(1))
          .ptr(in.get(2)).ptr(out).i32(n).i32(cin).i32(h).i32(w).i32(cout).i32(kh).i32(kw).i32(sh).i32(sw)
          .i32(pt).i32(pl).i32(dh).i32(dw).i32(group).i32(oh()).i32(ow()));
    }

    @Override
    public void launch(Launcher l, List<DevicePtr> in, Epilogue e, DevicePtr program, DevicePtr extra, DevicePtr out) {
      l.launch(ConvEpilogueKernel.NAME, (long) n * cout * oh() * ow(), KernelArgs.of().ptr(in.get(0)).ptr(in.get(1))
          .ptr(in.get(2)).ptr(program).ptr(extra).ptr(out).i32(n).i32(cin).i32(h).i32(w).i32(cout).i32(kh).i32(kw)
          .i32(sh).i32(sw).i32(pt).i32(pl).i32(dh).i32(dw).i32(group).i32(oh()).i32(ow()).i32(e.ops().size())
          .i32(e.usesExtra() ? 1 : 0));
    }
  }

  @Override
  public String op() {
    return "Conv";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new ConvKernel(), new ConvEpilogueKernel());
  }

  @Override
  public Layer create(NodeView node) {
    int[] x = node.shape(0);
    int[] wShape = node.shape(1);
    if (x.length != 4 || wShape.length != 4) {
      throw new UnsupportedNodeException(node.where() + ": only 2-D convolutions (rank-4 input and weights) are supported");
    }
    if (!node.hasInput(2)) {
      throw new UnsupportedNodeException(node.where() + ": the importer gives every Conv a bias; none found");
    }
    int group = (int) node.intAttr("group", 1);
    int kh = wShape[2];
    int kw = wShape[3];
    int[] strides = node.intsAttr("strides", new int[] {1, 1});
    int[] dil = node.intsAttr("dilations", new int[] {1, 1});
    int[] pads = node.intsAttr("pads", new int[] {0, 0, 0, 0});
    String autoPad = node.stringAttr("auto_pad", "NOTSET");
    if (autoPad.equals("SAME_UPPER") || autoPad.equals("SAME_LOWER")) {
      pads = samePads(x, kh, kw, strides, dil, autoPad.equals("SAME_UPPER"));
    } else if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      throw new UnsupportedNodeException(node.where() + ": auto_pad " + autoPad + " is not supported");
    }
    if (x[1] != wShape[1] * group) {
      throw new UnsupportedNodeException(node.where() + ": input has " + x[1] + " channels, weights expect "
          + wShape[1] + " x group " + group);
    }
    Spec s = new Spec(x[0], x[1], x[2], x[3], wShape[0], kh, kw, strides[0], strides[1], pads[0], pads[1],
        pads[2], pads[3], dil[0], dil[1], group);
    if (s.oh() < 1 || s.ow() < 1) {
      throw new UnsupportedNodeException(node.where() + ": the kernel does not fit the input");
    }
    return s;
  }

  static int[] samePads(int[] x, int kh, int kw, int[] s, int[] d, boolean upper) {
    int[] p = new int[4];
    int[] k = {kh, kw};
    for (int i = 0; i < 2; i++) {
      int in = x[2 + i];
      int out = (in + s[i] - 1) / s[i];
      int total = Math.max(0, (out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in);
      p[i] = upper ? total / 2 : total - total / 2;
      p[i + 2] = total - p[i];
    }
    return p;
  }
}
