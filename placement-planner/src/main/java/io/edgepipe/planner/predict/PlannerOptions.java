package io.edgepipe.planner.predict;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Statistic;

/**
 * Knobs of one planning run.
 *
 * @param objective     what to rank by
 * @param statistic     median or p95 compute times
 * @param allPlacements all 2^n placements instead of the producer-on-edge prefixes plus all-server
 * @param edgeCores     cores of the edge node (0.5 = a half-core CPU quota), 0 = unlimited: no node limit
 * @param serverCores   cores of the server node, 0 = unlimited
 * @param hostCores     both nodes emulated on one host with this many cores (the testbed), so
 *                      their CPU together is one more limit; 0 = separate machines
 * @param maxReplicas   most replicas the replica analysis may give the bottleneck stage (1 = none)
 * @param frameSize     frame size to plan for, null = the only one in the profile (or the largest)
 * @param coresAssumed  the core counts were not given but assumed (this machine's), which the plan says
 * @param wireApart     the edge-server link drains one frame while its sender prepares the next: the
 *                      wire's busy time is a limit of its own, not a part of the sender's period
 *                      (needs the link's rate in the profile; see {@link LinkWire})
 * @param linkBurstBytes what the edge-server link's shaper lets through at once after idling
 *                      (a token bucket; 0 on a real link): a paced frame's crossing is that much shorter
 * @param hopCpu        what a service's measured CPU per frame covers (see {@link HopCpu})
 */
public record PlannerOptions(
    Objective objective,
    Statistic statistic,
    boolean allPlacements,
    double edgeCores,
    double serverCores,
    double hostCores,
    int maxReplicas,
    FrameSize frameSize,
    boolean coresAssumed,
    boolean wireApart,
    long linkBurstBytes,
    HopCpu hopCpu) {

  /**
   * What the per-frame CPU of a service measured in a running chain ({@code cpuMsPerFrame} in the
   * profile) covers of the hops it sends and receives.
   */
  public enum HopCpu {
    /** All of them, as they were where it was measured (a live reading of the running placement). */
    AS_MEASURED,
    /**
     * Its hops as in-node hops (a shared-memory ring: a slot handed over); each hop that crosses
     * between nodes costs its measured socket CPU ({@code cpuMs} of the hop, both ends) on top,
     * half at each end.
     */
    IN_NODE_BASIS
  }

  public PlannerOptions(Objective objective, Statistic statistic, boolean allPlacements, double edgeCores,
      double serverCores, double hostCores, int maxReplicas, FrameSize frameSize, boolean coresAssumed) {
    this(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas, frameSize, coresAssumed,
        false, 0, HopCpu.AS_MEASURED);
  }

  public PlannerOptions(Objective objective, Statistic statistic, boolean allPlacements, double edgeCores,
      double serverCores, double hostCores, int maxReplicas, FrameSize frameSize) {
    this(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas, frameSize, false);
  }

  public PlannerOptions {
    if (edgeCores < 0 || serverCores < 0 || hostCores < 0) {
      throw new IllegalArgumentException("core counts must be >= 0 (0 = unlimited)");
    }
    if (maxReplicas < 1) {
      throw new IllegalArgumentException("--max-replicas must be >= 1");
    }
    if (linkBurstBytes < 0) {
      throw new IllegalArgumentException("a link's burst must be >= 0 bytes, got " + linkBurstBytes);
    }
    hopCpu = hopCpu == null ? HopCpu.AS_MEASURED : hopCpu;
  }

  public static PlannerOptions defaults() {
    return new PlannerOptions(Objective.THROUGHPUT, Statistic.MEDIAN, false, 0, 0, 0, 4, null);
  }

  public PlannerOptions withObjective(Objective value) {
    return new PlannerOptions(value, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas, frameSize,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  public PlannerOptions withCores(double edge, double server) {
    return new PlannerOptions(objective, statistic, allPlacements, edge, server, hostCores, maxReplicas, frameSize,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  public PlannerOptions withMaxReplicas(int value) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, value, frameSize,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  public PlannerOptions withAllPlacements(boolean value) {
    return new PlannerOptions(objective, statistic, value, edgeCores, serverCores, hostCores, maxReplicas, frameSize,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  public PlannerOptions withFrameSize(FrameSize value) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas, value,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  public PlannerOptions withStatistic(Statistic value) {
    return new PlannerOptions(objective, value, allPlacements, edgeCores, serverCores, hostCores, maxReplicas, frameSize,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  /** Both nodes on one host of {@code cores} cores (0 = separate machines). */
  public PlannerOptions withHostCores(double cores) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, cores, maxReplicas, frameSize,
        false, wireApart, linkBurstBytes, hopCpu);
  }

  /** Whether the edge-server link's busy time is a limit apart from its sender's period; see {@link LinkWire}. */
  public PlannerOptions withWireApart(boolean value) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas,
        frameSize, coresAssumed, value, linkBurstBytes, hopCpu);
  }

  /** The edge-server link's shaper bucket in bytes (0 = a real link); see {@link LinkWire}. */
  public PlannerOptions withLinkBurstBytes(long bytes) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas,
        frameSize, coresAssumed, wireApart, bytes, hopCpu);
  }

  /** What the profile's per-service CPU covers of its hops. */
  public PlannerOptions withHopCpu(HopCpu value) {
    return new PlannerOptions(objective, statistic, allPlacements, edgeCores, serverCores, hostCores, maxReplicas,
        frameSize, coresAssumed, wireApart, linkBurstBytes, value);
  }

  /**
   * Core counts for the tiers whose count was not given (null): this machine's {@code machineCores}
   * for each, marked as assumed. A plan without core limits predicts as if every service had a
   * core to itself, which on a small machine overstates throughput several times.
   */
  public PlannerOptions withCores(Double edge, Double server, int machineCores) {
    if (edge != null && server != null) {
      return withCores(edge.doubleValue(), server.doubleValue());
    }
    return new PlannerOptions(objective, statistic, allPlacements, edge != null ? edge : machineCores,
        server != null ? server : machineCores, hostCores, maxReplicas, frameSize, true, wireApart, linkBurstBytes, hopCpu);
  }

  /** Cores of a tier's node, 0 meaning unlimited. */
  public double cores(Tier tier) {
    return tier == Tier.EDGE ? edgeCores : serverCores;
  }
}
