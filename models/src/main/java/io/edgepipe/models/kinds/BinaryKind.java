package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An element-wise kind of two inputs with numpy broadcasting up to rank 4, launched as
 * {@code kernel(a, b, out, d0..d3, a strides s0..s3, b strides s0..s3)} where a broadcast
 * dimension has stride 0.
 */
public abstract class BinaryKind implements LayerKind {

  /** The layer: output dims and each input's strides, padded to rank 4. */
  public record Binary(String kernel, int[] outputShape, int[] dims, int[] aStrides, int[] bStrides) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      KernelArgs a = KernelArgs.of().ptr(in.get(0)).ptr(in.get(1)).ptr(out);
      for (int d : dims) {
        a.i32(d);
      }
      for (int s : aStrides) {
        a.i32(s);
      }
      for (int s : bStrides) {
        a.i32(s);
      }
      l.launch(kernel, Shapes.elements(outputShape), a);
    }
  }

  @Override
  public Layer create(NodeView node) {
    int[] a = node.shape(0);
    int[] b = node.shape(1);
    int rank = Math.max(a.length, b.length);
    if (rank > 4) {
      throw new UnsupportedNodeException(node.where() + ": broadcasting above rank 4 is not supported");
    }
    int[] pa = Shapes.padLeft(a, 4);
    int[] pb = Shapes.padLeft(b, 4);
    int[] dims = new int[4];
    for (int i = 0; i < 4; i++) {
      if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1) {
        throw new UnsupportedNodeException(node.where() + ": shapes " + Shapes.format(a) + " and "
            + Shapes.format(b) + " do not broadcast");
      }
      dims[i] = Math.max(pa[i], pb[i]);
    }
    int[] out = new int[rank];
    System.arraycopy(dims, 4 - rank, out, 0, rank);
    return new Binary(kernel(), out, dims, strides(pa), strides(pb));
  }

  /** Row-major strides of {@code dims}, 0 where a dimension is 1 (broadcast). */
  static int[] strides(int[] dims) {
    int[] s = new int[4];
    int step = 1;
    for (int i = 3; i >= 0; i--) {
      s[i] = dims[i] == 1 ? 0 : step;
      step *= dims[i];
    }
    return s;
  }

  protected abstract String kernel();

  /** Base of the broadcasting kernels: size rule and loops; subclasses give the operation. */
  public abstract static class BinaryKernel extends Kernel {
    protected BinaryKernel(String name) {
      super(name, "ptr a", "ptr b", "ptr out", "int d0", "int d1", "int d2", "int d3",
          "int as0", "int as1", "int as2", "int as3", "int bs0", "int bs1", "int bs2", "int bs3");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "d0", "d1", "d2", "d3");
      nonNegative(v, "as0", "as1", "as2", "as3", "bs0", "bs1", "bs2", "bs3");
      long n = (long) v[3] * v[4] * v[5] * v[6];
      return needs("a", span(v, 7), "b", span(v, 11), "out", n);
    }

    private static long span(int[] v, int s) {
      long last = 0;
      for (int i = 0; i < 4; i++) {
        last += (long) (v[3 + i] - 1) * v[s + i];
      }
      return last + 1;
    }

    @Override
    public void runCpu(int[] v, float[][] buf) {
      float[] a = buf[0];
      float[] b = buf[1];
      float[] out = buf[2];
      int d0 = v[3], d1 = v[4], d2 = v[5], d3 = v[6];
      int rows = d0 * d1 * d2;
      IntStream range = IntStream.range(0, rows);
      (rows * (long) d3 >= 1 << 16 ? range.parallel() : range).forEach(r -> {
        int i2 = r % d2;
        int i1 = (r / d2) % d1;
        int i0 = r / (d1 * d2);
        int ao = i0 * v[7] + i1 * v[8] + i2 * v[9];
        int bo = i0 * v[11] + i1 * v[12] + i2 * v[13];
        row(a, ao, v[10], b, bo, v[14], out, r * d3, d3);
      });
    }

    /** One innermost row: out[o + x] = op(a[ao + x*as], b[bo + x*bs]). */
    protected abstract void row(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o, int n);
  }
}
