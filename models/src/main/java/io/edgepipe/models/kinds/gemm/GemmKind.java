package io.edgepipe.models.kinds.gemm;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Launcher;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;

/** ONNX Gemm: {@code alpha * A' B' + beta * C}, A' and B' optionally transposed, C broadcast. */
public final class GemmKind implements LayerKind {
  public static final String KERNEL = "gemm_f32";

  /**
   * CPU twin of {@code gemm_f32(a, b, c, out, m, k, n, transA, transB, cMode, alpha, beta)}:
   * {@code out[i,j] = alpha * sum_p a'[i,p] b'[p,j] + beta * c[...]} with the sum in p order;
   * cMode 0: no C, 1: scalar, 2: row [n], 3: full [m,n], 4: column [m].
   */
  public static final class GemmKernel extends Kernel {
    public GemmKernel() {
      super(KERNEL, "ptr a", "ptr b", "ptr c", "ptr out", "int m", "int k", "int n", "int transA", "int transB",
          "int cMode", "int alpha", "int beta");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      positive(v, "m", "k", "n");
      int m = v[4], n = v[6];
      long c = switch (v[9]) {
        case 0, 1 -> 1;
        case 2 -> n;
        case 3 -> (long) m * n;
        case 4 -> m;
        default -> throw new IllegalArgumentException("argument 9 (cMode) must be 0..4, got " + v[9]);
      };
      return needs("a", (long) m * v[5], "b", (long) v[5] * n, "c", c, "out", (long) m * n);
    }

    @Override
    public void runCpu(int[] v, float[][] buf) {
      float[] a = buf[0], b = buf[1], c = buf[2], out = buf[3];
      int m = v[4], k = v[5], n = v[6];
      boolean ta = v[7] != 0, tb = v[8] != 0;
      int cMode = v[9];
      float alpha = Float.intBitsToFloat(v[10]);
      float beta = Float.intBitsToFloat(v[11]);
      float[] acc = new float[n];
      for (int i = 0; i < m; i++) {
        java.util.Arrays.fill(acc, 0f);
        for (int p = 0; p < k; p++) {
          float av = ta ? a[p * m + i] : a[i * k + p];
          if (tb) {
            for (int j = 0; j < n; j++) {
              acc[j] += av * b[j * k + p];
            }
          } else {
            int row = p * n;
            for (int j = 0; j < n; j++) {
              acc[j] += av * b[row + j];
            }
          }
        }
        for (int j = 0; j < n; j++) {
          float cv = switch (cMode) {
            case 1 -> c[0];
            case 2 -> c[j];
            case 3 -> c[i * n + j];
            case 4 -> c[i];
            default -> 0f;
          };
          out[i * n + j] = cMode == 0 ? alpha * acc[j] : alpha * acc[j] + beta * cv;
        }
      }
    }
  }

  /** The layer, shared with MatMul (which is Gemm with alpha 1 and no C, over flattened rows). */
  public record Gemm(int[] outputShape, int m, int k, int n, boolean transA, boolean transB, int cMode,
      float alpha, float beta) implements Layer {
    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      // without C the kernel still takes a pointer: it reads nothing from it, pass A
      DevicePtr c = cMode == 0 ? in.get(0) : in.get(2);
      l.launch(KERNEL, (long) m * n, KernelArgs.of().ptr(in.get(0)).ptr(in.get(1)).ptr(c).ptr(out).i32(m).i32(k)
          .i32(n).i32(transA ? 1 : 0).i32(transB ? 1 : 0).i32(cMode).i32(Launcher.bits(alpha)).i32(Launcher.bits(beta)));
    }

    @Override
    public long operations() {
      return (long) m * k * n;
    }
  }

  @Override
  public String op() {
    return "Gemm";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new GemmKernel());
  }

  @Override
  public Layer create(NodeView node) {
    int[] a = node.shape(0);
    int[] b = node.shape(1);
    if (a.length != 2 || b.length != 2) {
      throw new UnsupportedNodeException(node.where() + ": A and B must be 2-D");
    }
    boolean ta = node.intAttr("transA", 0) != 0;
    boolean tb = node.intAttr("transB", 0) != 0;
    int m = ta ? a[1] : a[0];
    int k = ta ? a[0] : a[1];
    int n = tb ? b[0] : b[1];
    if ((tb ? b[1] : b[0]) != k) {
      throw new UnsupportedNodeException(node.where() + ": inner dimensions differ");
    }
    int cMode = 0;
    if (node.hasInput(2)) {
      int[] c = node.shape(2);
      long cn = 1;
      for (int d : c) {
        cn *= d;
      }
      if (cn == 1) {
        cMode = 1;
      } else if (c[c.length - 1] == n && cn == n) {
        cMode = 2;
      } else if (cn == (long) m * n) {
        cMode = 3;
      } else if (cn == m && c.length == 2 && c[1] == 1) {
        cMode = 4;
      } else {
        throw new UnsupportedNodeException(node.where() + ": C does not broadcast to [" + m + "," + n + "]");
      }
    }
    return new Gemm(new int[] {m, n}, m, k, n, ta, tb, cMode, node.floatAttr("alpha", 1f), node.floatAttr("beta", 1f));
  }
}
