package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.KernelArgs;
import java.util.List;

/**
 * An element-wise kind of one input and two float parameters, launched as
 * {@code kernel(in, out, n, p1, p2)}: the shape passes through.
 */
public abstract class UnaryKind implements LayerKind {

  /**
   * The layer: kernel name and parameters, launched over every element; {@code epilogueCode} is
   * its {@link Epilogue} op (0 when it has none).
   */
  public record Unary(String kernel, int[] outputShape, float p1, float p2, boolean twoParams, int epilogueCode)
      implements Layer {
    @Override
    public Epilogue.Kind epilogueKind() {
      return epilogueCode == 0 ? null : new Epilogue.Kind(epilogueCode, p1, p2);
    }

    @Override
    public int[] deviceInputs(int inputCount) {
      return new int[] {0}; // Clip's min/max inputs were read at import
    }

    @Override
    public void launch(Launcher l, List<DevicePtr> in, DevicePtr out) {
      long n = Shapes.elements(outputShape);
      KernelArgs a = KernelArgs.of().ptr(in.get(0)).ptr(out).i32((int) n);
      if (twoParams) {
        a.i32(Launcher.bits(p1)).i32(Launcher.bits(p2));
      }
      l.launch(kernel, n, a);
    }
  }

  /** Base of the (in, out, n, p1, p2) kernels: the size rule. */
  public abstract static class UnaryKernel extends Kernel {
    protected UnaryKernel(String name) {
      super(name, "ptr in", "ptr out", "int n", "int p1", "int p2");
    }

    @Override
    public long[] elementsNeeded(int[] v) {
      return sameSizeInOut(v);
    }

    @Override
    public void runCpu(int[] v, float[][] b) {
      apply(b[0], b[1], v[2], Float.intBitsToFloat(v[3]), Float.intBitsToFloat(v[4]));
    }

    protected abstract void apply(float[] in, float[] out, int n, float p1, float p2);
  }
}
