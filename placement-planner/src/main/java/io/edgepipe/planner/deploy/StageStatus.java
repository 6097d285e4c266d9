package io.edgepipe.planner.deploy;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One workload as the cluster sees it.
 *
 * @param name      stage (or vgpu-backend)
 * @param tier      tier its nodeSelector asks for
 * @param placement the placement label it was deployed with
 * @param ready     ready replicas
 * @param desired   desired replicas
 * @param nodes     nodes its pods run on
 * @param fps       live frames out per second, empty when the metrics cannot be read
 */
public record StageStatus(String name, String tier, String placement, int ready, int desired, List<String> nodes,
    OptionalDouble fps) {
  public StageStatus {
    nodes = List.copyOf(nodes);
  }
}
