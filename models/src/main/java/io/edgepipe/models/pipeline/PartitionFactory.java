package io.edgepipe.models.pipeline;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.service.PartitionProcessor;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.FrameProcessorFactory;
import io.edgepipe.vgpu.Gpu;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@link LayerSpec#PARTITION} layers: the services {@code names} of the model spec their
 * layers name, as one {@link PartitionProcessor} from the first one's cut to the last one's
 * (a fused group, or the monolith when they are all of them).
 */
public final class PartitionFactory implements FrameProcessorFactory {
  @Override
  public String kind() {
    return LayerSpec.PARTITION;
  }

  @Override
  public FrameProcessor open(PipelineSpec pipeline, List<String> names, Gpu gpu) {
    LayerSpec first = pipeline.layers().get(pipeline.indexOf(names.get(0)));
    try {
      ModelSpec spec = ModelSpec.load(Path.of(first.weightsFile()));
      ModelGraph g = ModelPipelines.graph(spec);
      List<ModelSpec.Service> services = spec.servicesOrMonolith(g);
      int from = service(services, names.get(0), first.weightsFile()).from();
      int to = service(services, names.get(names.size() - 1), first.weightsFile()).to();
      PartitionProcessor p = new PartitionProcessor(new PartitionRunner(g, from, to, gpu), from == 0 ? spec.input() : null);
      return new OwningDevice(p, gpu);
    } catch (RuntimeException e) {
      gpu.close();
      throw e;
    }
  }

  private static ModelSpec.Service service(List<ModelSpec.Service> services, String name, String file) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("model spec " + file + " has no service '" + name + "' (it has "
            + services.stream().map(ModelSpec.Service::name).toList() + ")"));
  }

  /** The partition's processor, closing the service's device after it. */
  private record OwningDevice(PartitionProcessor partition, Gpu gpu) implements FrameProcessor {
    @Override
    public io.edgepipe.api.proto.Frame.Builder process(io.edgepipe.api.proto.Frame in) {
      return partition.process(in);
    }

    @Override
    public boolean keepsInput() {
      return partition.keepsInput();
    }

    @Override
    public void close() {
      partition.close();
      gpu.close();
    }
  }
}
