package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.ByteBuffer;

/**
 * A device with one synthetic kernel, {@code synthetic/spin(int micros)}, that keeps the device
 * busy for exactly that long: equal-cost launches for the fGPU tests. Everything else is a CpuGpu.
 */
final class SpinGpu implements Gpu {
  static final String MODULE = "synthetic";
  static final String SPIN = "spin";

  private final CpuGpu cpu = new CpuGpu();

  @Override
  public String name() {
    return "spin";
  }

  @Override
  public GpuModule loadModule(String moduleName) {
    return MODULE.equals(moduleName) ? new GpuModule(MODULE, -7) : cpu.loadModule(moduleName);
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    if (MODULE.equals(module.name())) {
      if (!SPIN.equals(kernelName)) {
        throw new GpuException("NOT_FOUND", kernelName);
      }
      return new GpuFunction(module, SPIN, -7);
    }
    return cpu.function(module, kernelName);
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    if (!SPIN.equals(function.name())) {
      cpu.launch(function, grid, block, args);
      return;
    }
    long end = System.nanoTime() + args.intAt(0) * 1000L;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  @Override
  public long memoryCapacity() {
    return cpu.memoryCapacity();
  }

  @Override
  public DevicePtr malloc(long bytes) {
    return cpu.malloc(bytes);
  }

  @Override
  public void copyHtoD(DevicePtr dst, ByteBuffer src) {
    cpu.copyHtoD(dst, src);
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    cpu.copyHtoDAsync(dst, src);
  }

  @Override
  public void copyDtoH(ByteBuffer dst, DevicePtr src) {
    cpu.copyDtoH(dst, src);
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    cpu.copyDtoHAsync(dst, src);
  }

  @Override
  public void synchronize() {
    cpu.synchronize();
  }

  @Override
  public void free(DevicePtr ptr) {
    cpu.free(ptr);
  }

  @Override
  public void close() {
    cpu.close();
  }
}
