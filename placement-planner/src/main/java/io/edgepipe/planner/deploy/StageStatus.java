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
 * @param unreadable why fps (or part of it) could not be read, e.g. "pod conv-5f-x is Pending on
 *                  node edge-1 (edge), whose kubelet is not Ready, so it will not start there";
 *                  empty when every pod was read
 */
public record StageStatus(String name, String tier, String placement, int ready, int desired, List<String> nodes,
    OptionalDouble fps, String unreadable) {
  public StageStatus {
    nodes = List.copyOf(nodes);
  }
}
