package io.edgepipe.vgpu;

import java.nio.ByteBuffer;

/** A Gpu that forwards every call, for tests that change one behaviour. */
public class ForwardingGpu implements Gpu {
  private final Gpu d;

  public ForwardingGpu(Gpu delegate) {
    this.d = delegate;
  }

  @Override
  public String name() {
    return d.name();
  }

  @Override
  public long memoryCapacity() {
    return d.memoryCapacity();
  }

  @Override
  public GpuModule loadModule(String moduleName) {
    return d.loadModule(moduleName);
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    return d.function(module, kernelName);
  }

  @Override
  public DevicePtr malloc(long bytes) {
    return d.malloc(bytes);
  }

  @Override
  public void copyHtoD(DevicePtr dst, ByteBuffer src) {
    d.copyHtoD(dst, src);
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    d.copyHtoDAsync(dst, src);
  }

  @Override
  public void copyDtoH(ByteBuffer dst, DevicePtr src) {
    d.copyDtoH(dst, src);
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    d.copyDtoHAsync(dst, src);
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    d.launch(function, grid, block, args);
  }

  @Override
  public void synchronize() {
    d.synchronize();
  }

  @Override
  public void free(DevicePtr ptr) {
    d.free(ptr);
  }

  @Override
  public void close() {
    d.close();
  }
}
