package io.edgepipe.models.kinds.mul;

import io.edgepipe.models.kinds.BinaryKind;
import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Kernel;
import java.util.List;

/** ONNX Mul with numpy broadcasting (rank <= 4): {@code out = x * y} in float32. */
public final class MulKind extends BinaryKind {
  public static final String KERNEL = "mul_f32";

  /** CPU twin of {@code mul_f32}; inputs laid out as the output and per-row scalars get loops C2 vectorises (same results). */
  public static final class MulKernel extends BinaryKernel {
    public MulKernel() {
      super(KERNEL);
    }

    @Override
    protected void same(float[] a, float[] b, float[] out, int from, int to) {
      for (int i = from; i < to; i++) {
        out[i] = a[i] * b[i];
      }
    }

    @Override
    protected void scalarB(float[] a, float bv, float[] out, int from, int to) {
      for (int i = from; i < to; i++) {
        out[i] = a[i] * bv;
      }
    }

    @Override
    protected void scalarA(float av, float[] b, float[] out, int from, int to) {
      for (int i = from; i < to; i++) {
        out[i] = av * b[i];
      }
    }

    @Override
    protected void row(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o, int n) {
      for (int i = 0; i < n; i++) {
        out[o + i] = a[ao + i * as] * b[bo + i * bs];
      }
    }
  }

  @Override
  public String op() {
    return "Mul";
  }

  @Override
  protected int epilogueCode() {
    return Epilogue.MUL;
  }

  @Override
  protected String kernel() {
    return KERNEL;
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new MulKernel());
  }
}
