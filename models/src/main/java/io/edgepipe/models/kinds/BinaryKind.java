package io.edgepipe.models.kinds;

import io.edgepipe.kernels.Bands;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * An element-wise kind of two inputs with numpy broadcasting up to rank 4, launched as
 * {@code kernel(a, b, out, d0..d3, a strides s0..s3, b strides s0..s3)} where a broadcast
 * dimension has stride 0.
 */
public abstract class BinaryKind implements LayerKind {

  /**
   * The layer: output dims and each input's strides, padded to rank 4; {@code epilogueCode} is its
   * {@link Epilogue} op (0 when it has none).
   */
  public record Binary(String kernel, int[] outputShape, int[] dims, int[] aStrides, int[] bStrides, int epilogueCode)
      implements Layer {
    @Override
    public Epilogue.Kind epilogueKind() {
      return epilogueCode == 0 ? null : new Epilogue.Kind(epilogueCode, 0, 0);
    }

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
    return new Binary(kernel(), out, dims, strides(pa), strides(pb), epilogueCode());
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

  /** The {@link Epilogue} op of this kind (ADD, MUL, DIV), or 0 when it has none. */
  protected int epilogueCode() {
    return 0;
  }

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

    /** Elements per band when a launch is cut into bands. */
    private static final int BAND = 1 << 14;

    @Override
    public void runCpu(int[] v, float[][] buf) {
      float[] a = buf[0];
      float[] b = buf[1];
      float[] out = buf[2];
      int[] dims = {v[3], v[4], v[5], v[6]};
      int[] as = {v[7], v[8], v[9], v[10]};
      int[] bs = {v[11], v[12], v[13], v[14]};
      int d3 = dims[3];
      int rows = dims[0] * dims[1] * dims[2];
      boolean aFull = laidOutAsOutput(dims, as);
      boolean bFull = laidOutAsOutput(dims, bs);
      // whole rows per band, about BAND elements each
      int rowsPerBand = Math.max(1, BAND / d3);
      int bands = (rows + rowsPerBand - 1) / rowsPerBand;
      IntConsumer band = k -> {
        int r0 = k * rowsPerBand;
        int r1 = Math.min(rows, r0 + rowsPerBand);
        if (aFull && bFull) {
          same(a, b, out, r0 * d3, r1 * d3);
          return;
        }
        for (int r = r0; r < r1; r++) {
          int i2 = r % dims[2];
          int i1 = (r / dims[2]) % dims[1];
          int i0 = r / (dims[1] * dims[2]);
          int ao = i0 * as[0] + i1 * as[1] + i2 * as[2];
          int bo = i0 * bs[0] + i1 * bs[1] + i2 * bs[2];
          // where an input is laid out as the output, its row offset is the output's (r * d3)
          if (aFull && bs[3] == 0) {
            scalarB(a, b[bo], out, r * d3, (r + 1) * d3);
          } else if (bFull && as[3] == 0) {
            scalarA(a[ao], b, out, r * d3, (r + 1) * d3);
          } else {
            row(a, ao, as[3], b, bo, bs[3], out, r * d3, d3);
          }
        }
      };
      if ((long) rows * d3 >= 1 << 16 && bands > 1) {
        Bands.run(bands, band);
      } else {
        for (int k = 0; k < bands; k++) {
          band.accept(k);
        }
      }
    }

    /** Whether a tensor with these strides holds element i of the output at index i. */
    private static boolean laidOutAsOutput(int[] dims, int[] strides) {
      int step = 1;
      for (int i = 3; i >= 0; i--) {
        if (dims[i] != 1 && strides[i] != step) {
          return false;
        }
        step *= dims[i];
      }
      return true;
    }

    // The loops below index every array with the same i, the only form HotSpot C2 vectorises.

    /** out[i] = op(a[i], b[i]) for i in [from, to). */
    protected abstract void same(float[] a, float[] b, float[] out, int from, int to);

    /** out[i] = op(a[i], bv) for i in [from, to). */
    protected abstract void scalarB(float[] a, float bv, float[] out, int from, int to);

    /** out[i] = op(av, b[i]) for i in [from, to). */
    protected abstract void scalarA(float av, float[] b, float[] out, int from, int to);

    /** Any other row: out[o + x] = op(a[ao + x*as], b[bo + x*bs]). */
    protected abstract void row(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o, int n);
  }
}
