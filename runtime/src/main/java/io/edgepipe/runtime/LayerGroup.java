package io.edgepipe.runtime;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules for a group of layers that one compute service runs: one or more consecutive layers
 * of the spec, named by their names joined with '+' ({@code conv+relu}). A single layer is the
 * group of one, named as the layer. The embedded run with groups is the fused pipeline; the
 * monolith is the one group of every layer, with no hops.
 */
public final class LayerGroup {
  private LayerGroup() {}

  /** The service name of a group: its layer names joined with '+'. */
  public static String name(List<String> layers) {
    return String.join("+", layers);
  }

  /**
   * The layers a service name stands for, in chain order; refuses a name whose layers are not in
   * the spec or not consecutive in it.
   */
  public static List<String> layers(PipelineSpec spec, String name) {
    List<String> layers = List.of(name.split("\\+", -1));
    int first = spec.indexOf(layers.get(0));
    for (int i = 1; i < layers.size(); i++) {
      if (spec.indexOf(layers.get(i)) != first + i) {
        throw new IllegalArgumentException("stage " + name + ": a group's layers must be consecutive, in the order "
            + names(spec));
      }
    }
    return layers;
  }

  /** Refuses groups that are not the spec's layers, each once, in chain order. */
  public static void checkPartition(PipelineSpec spec, List<List<String>> groups) {
    List<String> flat = new ArrayList<>();
    groups.forEach(flat::addAll);
    if (groups.stream().anyMatch(List::isEmpty) || !flat.equals(names(spec))) {
      throw new IllegalArgumentException("groups " + groups + " must split the layers " + names(spec)
          + " into non-empty consecutive runs, in order");
    }
  }

  /** Every layer in a group of its own: the ordinary pipeline, one service per layer. */
  public static List<List<String>> oneEach(PipelineSpec spec) {
    return names(spec).stream().map(List::of).toList();
  }

  private static List<String> names(PipelineSpec spec) {
    return spec.layers().stream().map(LayerSpec::name).toList();
  }
}
