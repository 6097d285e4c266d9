package io.edgepipe.stages.maxpool;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.LayerFactory;
import io.edgepipe.vgpu.Gpu;

/** Registers the maxpool stage's layer with the runtime (see META-INF/services). */
public final class MaxPoolLayerFactory implements LayerFactory {
  @Override
  public String kind() {
    return LayerSpec.MAXPOOL;
  }

  @Override
  public GpuLayer create(LayerSpec spec, TensorShape input, Gpu gpu) {
    return new MaxPoolLayer(spec, gpu);
  }
}
