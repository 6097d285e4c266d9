package io.edgepipe.planner;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The microservices of a pipeline in chain order, producer first, and the hops between them.
 * Hop i leaves stage i; the last hop goes to the sink, which lives with the producer.
 */
public record StageChain(List<String> stages) {
  public static final String PRODUCER = "producer";
  public static final String SINK = "sink";

  public StageChain {
    if (stages.isEmpty() || !stages.get(0).equals(PRODUCER)) {
      throw new IllegalArgumentException("a chain starts with the producer, got " + stages);
    }
    stages = List.copyOf(stages);
  }

  /** producer followed by the spec's layers. */
  public static StageChain of(PipelineSpec spec) {
    List<String> names = new ArrayList<>();
    names.add(PRODUCER);
    for (LayerSpec layer : spec.layers()) {
      names.add(layer.name());
    }
    return new StageChain(names);
  }

  public int size() {
    return stages.size();
  }

  public String stage(int index) {
    return stages.get(index);
  }

  public int indexOf(String stage) {
    return stages.indexOf(stage);
  }

  /** Where stage {@code index} sends its output: the next stage, or the sink after the last. */
  public String receiverOf(int index) {
    return index + 1 < stages.size() ? stages.get(index + 1) : SINK;
  }

  /** Name of the hop leaving stage {@code index}, e.g. "conv->relu" or "maxpool->sink". */
  public String hopName(int index) {
    return hopName(stages.get(index), receiverOf(index));
  }

  public static String hopName(String from, String to) {
    return from + "->" + to;
  }

  public List<String> hopNames() {
    List<String> hops = new ArrayList<>();
    for (int i = 0; i < stages.size(); i++) {
      hops.add(hopName(i));
    }
    return hops;
  }

  /** Index of the stage that sends on {@code hop}, or -1 when the chain has no such hop. */
  public int senderOfHop(String hop) {
    return hopNames().indexOf(hop);
  }
}
