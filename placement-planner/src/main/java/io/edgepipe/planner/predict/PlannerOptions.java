package io.edgepipe.planner.predict;

import io.edgepipe.planner.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Statistic;

/**
 * Knobs of one planning run.
 *
 * @param objective     what to rank by
 * @param statistic     median or p95 compute times
 * @param allPlacements all 2^n placements instead of the producer-on-edge prefixes plus all-server
 * @param edgeCores     cores of the edge node, 0 = enough for every stage
 * @param serverCores   cores of the server node, 0 = enough for every stage
 * @param maxReplicas   most replicas the replica analysis may give the bottleneck stage (1 = none)
 * @param frameSize     frame size to plan for, null = the only one in the profile (or the largest)
 */
public record PlannerOptions(
    Objective objective,
    Statistic statistic,
    boolean allPlacements,
    int edgeCores,
    int serverCores,
    int maxReplicas,
    FrameSize frameSize) {

  public PlannerOptions {
    if (edgeCores < 0 || serverCores < 0) {
      throw new IllegalArgumentException("core counts must be >= 0 (0 = unlimited)");
    }
    if (maxReplicas < 1) {
      throw new IllegalArgumentException("--max-replicas must be >= 1");
    }
  }

  public static PlannerOptions defaults() {
    return new PlannerOptions(Objective.THROUGHPUT, Statistic.MEDIAN, false, 0, 0, 4, null);
  }

  public PlannerOptions withObjective(Objective value) {
    return new PlannerOptions(value, statistic, allPlacements, edgeCores, serverCores, maxReplicas, frameSize);
  }

  public PlannerOptions withCores(int edge, int server) {
    return new PlannerOptions(objective, statistic, allPlacements, edge, server, maxReplicas, frameSize);
  }

  public PlannerOptions withMaxReplicas(int value) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, value, frameSize);
  }

  public PlannerOptions withAllPlacements(boolean value) {
    return new PlannerOptions(objective, statistic, value, edgeCores, serverCores, maxReplicas, frameSize);
  }

  public PlannerOptions withFrameSize(FrameSize value) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, maxReplicas, value);
  }

  public PlannerOptions withStatistic(Statistic value) {
    return new PlannerOptions(objective, value, allPlacements, edgeCores, serverCores, maxReplicas, frameSize);
  }

  /** Cores of a tier's node, 0 meaning unlimited. */
  public int cores(Tier tier) {
    return tier == Tier.EDGE ? edgeCores : serverCores;
  }
}
