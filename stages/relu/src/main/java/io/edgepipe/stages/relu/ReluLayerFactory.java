package io.edgepipe.stages.relu;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.LayerFactory;
import io.edgepipe.vgpu.Gpu;

/** Registers the relu stage's layer with the runtime (see META-INF/services). */
public final class ReluLayerFactory implements LayerFactory {
  @Override
  public String kind() {
    return LayerSpec.RELU;
  }

  @Override
  public GpuLayer create(LayerSpec spec, TensorShape input, Gpu gpu) {
    return new ReluLayer(spec, gpu);
  }
}
