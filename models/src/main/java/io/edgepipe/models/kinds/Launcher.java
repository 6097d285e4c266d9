package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import java.util.HashMap;
import java.util.Map;

/** Launches kernels of the project's module on one device, caching the function handles. */
public final class Launcher {
  private final Gpu gpu;
  private final GpuModule module;
  private final Map<String, GpuFunction> functions = new HashMap<>();

  public Launcher(Gpu gpu) {
    this.gpu = gpu;
    this.module = gpu.loadModule(KernelCatalog.MODULE);
  }

  public Gpu gpu() {
    return gpu;
  }

  /** Queues {@code kernel} over {@code threads} outputs with the project's block size. */
  public void launch(String kernel, long threads, KernelArgs args) {
    GpuFunction fn = functions.computeIfAbsent(kernel, k -> gpu.function(module, k));
    gpu.launch(fn, KernelCatalog.gridFor(threads), Dim3.of(KernelCatalog.BLOCK), args);
  }

  /** Float bits as the int argument the kernels read them from. */
  public static int bits(float v) {
    return Float.floatToRawIntBits(v);
  }
}
