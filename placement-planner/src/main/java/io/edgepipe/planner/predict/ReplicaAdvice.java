package io.edgepipe.planner.predict;

import java.util.List;

/**
 * Replicas of a placement's bottleneck stage on the server.
 *
 * @param stage        the stage whose compute limits; null when a CPU shared by several services does
 * @param options      predictions with 1..max replicas of it (empty when not applicable)
 * @param bestReplicas the replica count with the highest throughput (fewest on a tie), 1 = none help
 * @param note         why replicas were not considered, or null
 */
public record ReplicaAdvice(String stage, List<ReplicaOption> options, int bestReplicas, String note) {
  public ReplicaAdvice {
    options = List.copyOf(options);
  }

  /** One row: the placement with {@code replicas} copies of the stage. */
  public record ReplicaOption(int replicas, Prediction prediction) {}

  public static ReplicaAdvice notApplicable(String stage, String note) {
    return new ReplicaAdvice(stage, List.of(), 1, note);
  }

  public boolean helps() {
    return bestReplicas > 1;
  }

  public Prediction best() {
    return options.stream().filter(o -> o.replicas() == bestReplicas).findFirst().map(ReplicaOption::prediction)
        .orElse(null);
  }
}
