package io.edgepipe.runtime;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;

/** The relu layer of a spec through the Gpu API (the stage modules are not on the runtime's class path). */
final class TestRelu extends GpuLayer {
  TestRelu(PipelineSpec spec, Gpu gpu) {
    super(spec.layers().get(spec.indexOf("relu")), gpu);
  }

  @Override
  protected void launchLayer(DevicePtr in, DevicePtr out, TensorShape inShape, TensorShape outShape) {
    int n = Math.toIntExact(inShape.elements());
    launch(KernelCatalog.RELU_F32, n, KernelArgs.of().ptr(in).ptr(out).i32(n));
  }
}
