package io.edgepipe.models.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.vgpu.Gpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The services of a model spec in one process, each a {@link PartitionProcessor} on its own
 * device, with every hop's frame encoded to bytes, parsed and validated as the next service
 * would receive it over gRPC. Used by {@code pipeline model run} and the tests.
 */
public final class ModelChain implements AutoCloseable {
  private final ModelGraph graph;
  private final List<ModelSpec.Service> services;
  private final List<PartitionProcessor> processors = new ArrayList<>();
  private final FrameValidator validator = new FrameValidator(1L << 30);
  private final List<Long> hopBytes = new ArrayList<>();

  /** @param devices one device per service, in service order (closed by the caller) */
  public ModelChain(ModelSpec spec, ModelGraph graph, List<Gpu> devices) {
    this.graph = graph;
    this.services = spec.servicesOrMonolith(graph);
    if (devices.size() != services.size()) {
      throw new IllegalArgumentException(services.size() + " services need " + services.size() + " devices");
    }
    for (int i = 0; i < services.size(); i++) {
      ModelSpec.Service s = services.get(i);
      processors.add(new PartitionProcessor(new PartitionRunner(graph, s.from(), s.to(), devices.get(i)),
          s.from() == 0 ? spec.input() : null));
    }
  }

  public List<ModelSpec.Service> services() {
    return services;
  }

  /** Bytes on each hop of the last frame (service i to i+1; the last is the result). */
  public List<Long> hopBytes() {
    return hopBytes;
  }

  /** Runs one frame (a picture frame, or tensors for the first cut) through every service. */
  public Map<String, float[]> run(Frame in) {
    hopBytes.clear();
    Frame frame = in;
    for (PartitionProcessor p : processors) {
      byte[] wire = p.process(frame).setFlowId(in.getFlowId()).setSeq(in.getSeq()).build().toByteArray();
      hopBytes.add((long) wire.length);
      try {
        frame = Frame.parseFrom(wire);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a service wrote a frame that does not parse: " + e.getMessage(), e);
      }
      String problem = validator.problem(frame);
      if (problem != null) {
        throw new IllegalStateException("a service wrote a malformed frame: " + problem);
      }
    }
    return TensorFrames.get(frame);
  }

  public ModelGraph graph() {
    return graph;
  }

  @Override
  public void close() {
    processors.forEach(PartitionProcessor::close);
  }
}
