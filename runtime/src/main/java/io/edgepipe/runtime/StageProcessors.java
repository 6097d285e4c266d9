package io.edgepipe.runtime;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.vgpu.Gpu;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The processor of a compute service's layers: a {@link LayerProcessor} over their
 * {@link GpuLayer}s, or, for a kind whose module registers a {@link FrameProcessorFactory} (a
 * model partition), the processor that factory builds. The service's device is owned by the result.
 */
public final class StageProcessors {
  private StageProcessors() {}

  public static FrameProcessor open(PipelineSpec spec, List<String> names, Gpu gpu) {
    String kind = spec.layers().get(spec.indexOf(names.get(0))).kind();
    for (FrameProcessorFactory f : ServiceLoader.load(FrameProcessorFactory.class)) {
      if (f.kind().equals(kind)) {
        return f.open(spec, names, gpu);
      }
    }
    return LayerProcessor.open(spec, names, gpu, gpu);
  }

  /** The kinds of the named layers, for a log line ({@code conv2d+relu}). */
  public static String kinds(PipelineSpec spec, List<String> names) {
    return String.join("+", names.stream().map(n -> spec.layers().get(spec.indexOf(n)).kind()).toList());
  }
}
