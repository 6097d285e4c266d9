package io.edgepipe.runtime;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.vgpu.Gpu;

/**
 * Service-provider interface through which each stage module contributes its layer, so the
 * runtime and the CLI find a kind's implementation without depending on the stage modules
 * (registered in META-INF/services/io.edgepipe.runtime.LayerFactory).
 */
public interface LayerFactory {
  /** The layer kind this factory builds (conv2d, relu, maxpool). */
  String kind();

  /**
   * @param input the shape the spec says this layer receives (conv sizes its weights from its
   *              channel count); frames of other sizes are accepted where the layer can take them
   */
  GpuLayer create(LayerSpec spec, TensorShape input, Gpu gpu);
}
