package io.edgepipe.stages.relu;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;

/** The relu stage's layer: max(x, 0) element-wise. */
public final class ReluLayer extends GpuLayer {
  public ReluLayer(LayerSpec spec, Gpu gpu) {
    super(spec, gpu);
  }

  @Override
  protected void launchLayer(DevicePtr in, DevicePtr out, TensorShape inShape, TensorShape outShape) {
    long n = inShape.elements();
    launch(KernelCatalog.RELU_F32, n, KernelArgs.of().ptr(in).ptr(out).i32((int) n));
  }
}
