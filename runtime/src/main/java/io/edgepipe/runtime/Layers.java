package io.edgepipe.runtime;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.vgpu.Gpu;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the {@link LayerFactory} of a layer kind among the stage modules on the class path. */
public final class Layers {
  private Layers() {}

  public static GpuLayer create(LayerSpec spec, TensorShape input, Gpu gpu) {
    Map<String, LayerFactory> factories = new TreeMap<>();
    for (LayerFactory f : ServiceLoader.load(LayerFactory.class)) {
      factories.put(f.kind(), f);
    }
    LayerFactory factory = factories.get(spec.kind());
    if (factory == null) {
      throw new IllegalStateException("no stage module for layer kind '" + spec.kind()
          + "' on the class path (found: " + factories.keySet() + ")");
    }
    return factory.create(spec, input, gpu);
  }
}
