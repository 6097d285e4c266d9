package io.edgepipe.planner.predict;

import io.edgepipe.planner.profile.FrameSize;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a planning run.
 *
 * @param pipeline    pipeline name from the profile
 * @param stages      chain order, producer first
 * @param frameSize   the frame size planned for
 * @param options     the options used
 * @param ranked      every candidate, best first
 * @param explanation one sentence on why the winner won
 * @param fusion      fusion options of the winner's same-tier neighbours
 * @param replicas    replica analysis of the winner's bottleneck
 */
public record PlanReport(
    String pipeline,
    List<String> stages,
    FrameSize frameSize,
    PlannerOptions options,
    List<Prediction> ranked,
    String explanation,
    List<FusionOption> fusion,
    ReplicaAdvice replicas) {

  public PlanReport {
    stages = List.copyOf(stages);
    ranked = List.copyOf(ranked);
    fusion = List.copyOf(fusion);
  }

  public Prediction winner() {
    return ranked.get(0);
  }

  /**
   * Replicas to deploy with the winner: the bottleneck's best count when the objective is
   * throughput and replicas raise it; empty otherwise (replicas do not shorten latency).
   */
  public Map<String, Integer> recommendedReplicas() {
    if (options.objective() == Objective.THROUGHPUT && replicas.helps()) {
      return Map.of(replicas.stage(), replicas.bestReplicas());
    }
    return Map.of();
  }
}
