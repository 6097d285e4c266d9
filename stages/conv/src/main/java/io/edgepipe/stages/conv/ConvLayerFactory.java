package io.edgepipe.stages.conv;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.LayerFactory;
import io.edgepipe.vgpu.Gpu;

/** Registers the conv stage's layer with the runtime (see META-INF/services). */
public final class ConvLayerFactory implements LayerFactory {
  @Override
  public String kind() {
    return LayerSpec.CONV2D;
  }

  @Override
  public GpuLayer create(LayerSpec spec, TensorShape input, Gpu gpu) {
    return new ConvLayer(spec, input, gpu);
  }
}
