package io.edgepipe.vgpu.cpu;

import io.edgepipe.kernels.Conv2d;
import io.edgepipe.kernels.Convert;
import io.edgepipe.kernels.MaxPool;
import io.edgepipe.kernels.Relu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.KernelRegistry;
import io.edgepipe.vgpu.RegisteredKernel;
import io.edgepipe.vgpu.LaunchCheck;
import java.util.function.Function;

/** Runs a checked launch on the Java twins of the kernels, by kernel name. */
final class CpuKernels {
  private CpuKernels() {}

  /**
   * @param c    the launch, already checked against the buffers' real sizes
   * @param args the launch arguments (pointers resolved through {@code buf})
   */
  static void run(LaunchCheck.Checked c, KernelArgs args, Function<Integer, CpuBuffer> buf) {
    int[] v = c.ints();
    try {
      switch (c.kernel()) {
        case KernelCatalog.CONV2D_F32 -> {
          long outElems = c.needs().get(3).elements();
          Conv2d.forward(buf.apply(0).floats(), buf.apply(1).floats(), buf.apply(2).floats(),
              buf.apply(3).floatsForOverwrite(outElems), v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]);
        }
        case KernelCatalog.RELU_F32 -> {
          // in place is allowed: read "in" first so that a shared buffer is float already
          float[] in = buf.apply(0).floats();
          Relu.forward(in, buf.apply(1).floatsForOverwrite(v[2]), v[2]);
        }
        case KernelCatalog.MAXPOOL_F32 -> MaxPool.forward(buf.apply(0).floats(),
            buf.apply(1).floatsForOverwrite(c.needs().get(1).elements()), v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
        case KernelCatalog.BGR_U8_HWC_TO_F32_CHW -> Convert.bgrU8HwcToF32Chw(buf.apply(0).u8(),
            buf.apply(1).floatsForOverwrite(c.needs().get(1).elements()), v[2], v[3], v[4]);
        case KernelCatalog.U8_TO_F32 -> Convert.u8ToF32(buf.apply(0).u8(), buf.apply(1).floatsForOverwrite(v[2]), v[2]);
        case KernelCatalog.F32_TO_U8 -> Convert.f32ToU8(buf.apply(0).floats(), buf.apply(1).u8ForOverwrite(v[2]), v[2]);
        case KernelCatalog.F16_TO_F32 -> Convert.f16ToF32(buf.apply(0).halves(), buf.apply(1).floatsForOverwrite(v[2]), v[2]);
        case KernelCatalog.F32_TO_F16 -> Convert.f32ToF16(buf.apply(0).floats(), buf.apply(1).halvesForOverwrite(v[2]), v[2]);
        default -> runRegistered(c, v, buf);
      }
    } catch (IllegalArgumentException e) {
      // LaunchCheck should have caught it; report it as the kernel's own refusal
      throw new GpuException("INVALID_ARGUMENT", c.kernel() + ": " + e.getMessage(), e);
    }
  }

  /** A kernel contributed by another module: its CPU twin on the buffers' float views. */
  private static void runRegistered(LaunchCheck.Checked c, int[] ints, Function<Integer, CpuBuffer> buf) {
    RegisteredKernel k = KernelRegistry.find(c.kernel());
    if (k == null) {
      throw new GpuException("NOT_FOUND", "no kernel named " + c.kernel());
    }
    float[][] arrays = new float[ints.length][];
    int out = k.outputIndex();
    // read the inputs first, then take the output for overwrite (it is never an input)
    for (LaunchCheck.Need n : c.needs()) {
      if (n.index() != out) {
        arrays[n.index()] = buf.apply(n.index()).floats();
      }
    }
    for (LaunchCheck.Need n : c.needs()) {
      if (n.index() == out) {
        arrays[out] = buf.apply(out).floatsForOverwrite(n.elements());
      }
    }
    k.runCpu(ints, arrays);
  }
}
