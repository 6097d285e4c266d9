package io.edgepipe.runtime;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.vgpu.Gpu;
import java.util.List;

/**
 * Service-provider interface for a layer kind that runs as a whole {@link FrameProcessor}
 * instead of a {@link GpuLayer} on one payload: a partition of an imported model, whose frames
 * carry named tensors (registered in META-INF/services/io.edgepipe.runtime.FrameProcessorFactory
 * by the module that owns the kind).
 */
public interface FrameProcessorFactory {
  /** The layer kind this factory runs ({@code partition}). */
  String kind();

  /**
   * The processor of the consecutive layers {@code names} of {@code spec}, all of this kind,
   * computing on {@code gpu}; the processor owns the device and closes it.
   */
  FrameProcessor open(PipelineSpec spec, List<String> names, Gpu gpu);
}
