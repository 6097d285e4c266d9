package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.cpu.CpuGpu;

/** The device a backend shares, opened with the memory it may grant. */
public final class BackendDevice {
  private BackendDevice() {}

  /**
   * Opens {@code spec} (cuda, cuda:N, cpu, auto). The cpu device's memory is Java heap, so it gets
   * {@code memoryBytes} if given, else a fifth of this JVM's maximum heap: what it grants must leave
   * room for the host budget (a quarter by default), the transport and the JVM itself, so that an
   * OutOfMemoryError cannot happen on a tenant's behalf. A GPU reports its own memory; a positive
   * {@code memoryBytes} then only caps what is reserved ({@link BackendLimits#deviceMemoryBytes()}).
   */
  public static Gpu open(String spec, long memoryBytes) {
    if (spec.startsWith("vgpu:")) {
      throw new IllegalArgumentException("the backend's device must be local (cuda, cuda:N, cpu or auto), not " + spec);
    }
    Gpu g = Devices.open(spec);
    if (g instanceof CpuGpu) {
      g.close();
      return new CpuGpu(memoryBytes > 0 ? memoryBytes : Runtime.getRuntime().maxMemory() / 5);
    }
    return g;
  }
}
