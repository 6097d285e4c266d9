package io.edgepipe.models.kinds.add;

import io.edgepipe.models.kinds.BinaryKind;
import io.edgepipe.models.kinds.Kernel;
import java.util.List;

/** ONNX Add with numpy broadcasting (rank <= 4): {@code out = x + y} in float32. */
public final class AddKind extends BinaryKind {
  public static final String KERNEL = "add_f32";

  /** CPU twin of {@code add_f32}; contiguous and scalar rows get their own loops (same results). */
  public static final class AddKernel extends BinaryKernel {
    public AddKernel() {
      super(KERNEL);
    }

    @Override
    protected void row(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int o, int n) {
      if (as == 1 && bs == 1) {
        for (int i = 0; i < n; i++) {
          out[o + i] = a[ao + i] + b[bo + i];
        }
      } else if (as == 1 && bs == 0) {
        float bv = b[bo];
        for (int i = 0; i < n; i++) {
          out[o + i] = a[ao + i] + bv;
        }
      } else if (as == 0 && bs == 1) {
        float av = a[ao];
        for (int i = 0; i < n; i++) {
          out[o + i] = av + b[bo + i];
        }
      } else {
        for (int i = 0; i < n; i++) {
          out[o + i] = a[ao + i * as] + b[bo + i * bs];
        }
      }
    }
  }

  @Override
  public String op() {
    return "Add";
  }

  @Override
  protected String kernel() {
    return KERNEL;
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(new AddKernel());
  }
}
