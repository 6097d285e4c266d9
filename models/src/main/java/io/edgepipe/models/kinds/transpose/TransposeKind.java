package io.edgepipe.models.kinds.transpose;

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

/** ONNX Transpose up to rank 6 (NHWC inputs of TensorFlow exports come in through it). */
public final class TransposeKind implements LayerKind {
  public static final String KERNEL = "transpose_f32";
  static final int RANK = 6;

  /**
   * CPU twin of {@code transpose_f32(in, out, d0..d5, p0..p5)}: in has dims d (padded with
   * leading 1s), {@code out[i0..i5] = in[j]} where {@code j[p[k]] = i[k]}.
   */
  public static final class TransposeKernel extends Kernel {
    public TransposeKernel() {
      super(KERNEL, "ptr in", "ptr out", "int d0", "int d1", "int d2", "int d3", "int d4", "int d5",
          "int p0", "int p1", "int p2", "int p3", "int p4", "int p5");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "d0", "d1", "d2", "d3", "d4", "d5");
      boolean[] seen = new boolean[RANK];
      for (int k = 0; k < RANK; k++) {
        int p = v[8 + k];
        if (p < 0 || p >= RANK || seen[p]) {
          throw new IllegalArgumentException("argument " + (8 + k) + " (p" + k + ") " + p + " does not make a permutation");
        }
        seen[p] = true;
      }
      long n = 1;
      for (int k = 0; k < RANK; k++) {
        n *= v[2 + k];
      }
      return needs("in", n, "out", n);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      int[] d = new int[RANK];
      int[] p = new int[RANK];
      System.arraycopy(v, 2, d, 0, RANK);
      System.arraycopy(v, 8, p, 0, RANK);
      int[] inStride = new int[RANK];
      int s = 1;
      for (int k = RANK - 1; k >= 0; k--) {
        inStride[k] = s;
        s *= d[k];
      }
      int[] od = new int[RANK];
      int[] os = new int[RANK]; // input stride walked by each output axis
      for (int k = 0; k < RANK; k++) {
        od[k] = d[p[k]];
        os[k] = inStride[p[k]];
      }
      float[] in = b[0];
      float[] out = b[1];
      int o = 0;
      for (int i0 = 0; i0 < od[0]; i0++) {
        for (int i1 = 0; i1 < od[1]; i1++) {
          for (int i2 = 0; i2 < od[2]; i2++) {
            for (int i3 = 0; i3 < od[3]; i3++) {
              for (int i4 = 0; i4 < od[4]; i4++) {
                int base = i0 * os[0] + i1 * os[1] + i2 * os[2] + i3 * os[3] + i4 * os[4];
                for (int i5 = 0; i5 < od[5]; i5++) {
                  out[o++] = in[base + i5 * os[5]];
                }
              }
            }
          }
        }
      }
    }
  }

  public record Transpose(int[] outputShape, int[] dims, int[] perm) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      KernelArgs a = KernelArgs.of().ptr(in.get(0)).ptr(out);
      for (int d : dims) {
        a.i32(d);
      }
      for (int p : perm) {
        a.i32(p);
      }
      l.launch(KERNEL, Shapes.elements(outputShape), a);
    }

    @Override
    public long operations() {
      return 0;
    }
  }

  @Override
  public String op() {
    return "Transpose";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new TransposeKernel());
  }

  @Override
  public Layer create(NodeView node) {
    int[] x = node.shape(0);
    int r = x.length;
    if (r > RANK) {
      throw new UnsupportedNodeException(node.where() + ": rank " + r + " is above " + RANK);
    }
    int[] perm = node.intsAttr("perm", null);
    if (perm == null) {
      perm = new int[r];
      for (int i = 0; i < r; i++) {
        perm[i] = r - 1 - i;
      }
    }
    int[] out = new int[r];
    int lead = RANK - r;
    int[] dims = Shapes.padLeft(x, RANK);
    int[] padded = new int[RANK];
    for (int k = 0; k < lead; k++) {
      padded[k] = k;
    }
    for (int k = 0; k < r; k++) {
      out[k] = x[perm[k]];
      padded[lead + k] = lead + perm[k];
    }
    return new Transpose(out, dims, padded);
  }
}
