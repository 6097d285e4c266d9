package io.edgepipe.stages.maxpool;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;

/** The maxpool stage's layer: the maximum of each window, per channel. */
public final class MaxPoolLayer extends GpuLayer {
  public MaxPoolLayer(LayerSpec spec, Gpu gpu) {
    super(spec, gpu);
  }

  @Override
  protected void launchLayer(DevicePtr in, DevicePtr out, TensorShape inShape, TensorShape outShape) {
    launch(KernelCatalog.MAXPOOL_F32, outShape.elements(), KernelArgs.of().ptr(in).ptr(out)
        .i32(inShape.c()).i32(inShape.h()).i32(inShape.w())
        .i32(spec.window()).i32(spec.stride()).i32(outShape.h()).i32(outShape.w()));
  }
}
