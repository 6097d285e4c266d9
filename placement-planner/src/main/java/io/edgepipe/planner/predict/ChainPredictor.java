package io.edgepipe.planner.predict;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.QuotaCpu;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The prediction model (see the module README for the same in prose):
 * <ul>
 *   <li>compute of a service = sum of its stages' compute on its tier, as measured there (on a
 *       CPU-capped node, measured under the cap);</li>
 *   <li>send of a service = transfer time of the hop leaving its last stage over the link class
 *       its two ends imply; the last hop returns to the sink on the producer's tier. Where the
 *       hop crosses the edge-server link and the profile gives the link's rate, the send is two
 *       things ({@link LinkWire}): the sender's own part (the measured hop less the bytes' time on
 *       the wire) and the link busy with the frame's bytes, headers included. The link drains one
 *       frame while the sender prepares the next, so they are two limits, not one sum
 *       ({@link PlannerOptions#wireApart()}; otherwise the send is the sender's period);</li>
 *   <li>latency = sum of all compute and all sends (one frame walks the whole chain); a frame that
 *       finds the link idle (paced frames) crosses a shaper's bucket at once;</li>
 *   <li>period of a service = (compute + its own part of the send) / replicas, since a stage
 *       blocks while it sends (gRPC flow control); a link carries one frame per its busy time,
 *       whatever the replicas, so that is a floor;</li>
 *   <li>a node with its cores given is one more limit ({@link QuotaCpu}): per frame, its services
 *       need CPU, and each JVM also burns some whatever the rate (its background). Measured in a
 *       running chain ({@code cpuMsPerFrame}, {@code backgroundCores} in the profile), the node
 *       passes its cores less their background over the sum of its services' per-frame CPU; with
 *       {@link PlannerOptions.HopCpu#IN_NODE_BASIS} that CPU is for in-node hops and every hop that
 *       crosses the link adds its measured socket CPU, half at each end. Without that
 *       measurement, the per-frame CPU is estimated as their compute (as CPU: times the node's
 *       cores when below one) plus half the measured CPU of every gRPC hop they send or receive
 *       (the sink receives the last hop on the producer's node). No service on the node can beat
 *       that period; on a small machine this, not any one stage, limits a split chain. When both
 *       nodes share one host (the emulated testbed), all of it over the host's cores is a limit
 *       too;</li>
 *   <li>throughput = 1000 / the largest period (fps); what sets that period is the {@link Limit}:
 *       a service's compute, its in-node hop, the edge-server link, a node's CPU or the host's.</li>
 * </ul>
 */
public final class ChainPredictor {
  private final CostModel costs;
  private final PlannerOptions options;

  public ChainPredictor(CostModel costs, PlannerOptions options) {
    this.costs = costs;
    this.options = options;
  }

  public CostModel costs() {
    return costs;
  }

  /** The plain deployment: one service per stage, one replica each. */
  public Prediction predict(Placement placement) {
    return predict(placement, ServiceUnit.plain(placement));
  }

  public Prediction predict(Placement placement, List<ServiceUnit> units) {
    StageChain chain = costs.chain();
    Tier sinkTier = placement.tier(0);
    Map<Tier, Double> nodeMs = nodePeriods(units, sinkTier);
    double hostMs = hostPeriod(units, sinkTier);
    List<UnitPrediction> results = new ArrayList<>();
    double latency = 0;
    Limit limit = null;
    for (int u = 0; u < units.size(); u++) {
      ServiceUnit unit = units.get(u);
      double compute = compute(unit);
      Tier receiver = u + 1 < units.size() ? units.get(u + 1).tier() : sinkTier;
      LinkClass link = LinkClass.between(unit.tier(), receiver);
      double send = costs.transferMs(unit.last(), link);
      LinkWire wire = link.inNode() || !options.wireApart() ? null : wire(link);
      long bytes = costs.hopBytes(unit.last());
      double busy = wire != null && bytes >= 0 ? Math.min(send, wire.busyMs(bytes)) : 0; // the link's own share
      double own = (compute + send - busy) / unit.replicas();
      // replicas share the one uplink: it never passes more than one frame per its busy time
      boolean linkFloor = !link.inNode() && (busy > 0 ? busy >= own : send > own);
      if (linkFloor) {
        own = busy > 0 ? busy : send;
      }
      double node = Math.max(nodeMs.get(unit.tier()), hostMs);
      double period = Math.max(own, node);
      double ccr = compute > 0 ? send / compute : Double.NaN;
      String name = unit.name(chain);
      results.add(new UnitPrediction(name, unit.tier(), unit.replicas(), compute, send, link, period, ccr, node));
      // a frame alone on the link passes the shaper's full bucket at once: that much of the wire is saved
      latency += compute + send - (busy > 0 ? Math.min(busy, wire.busyMs(bytes) - wire.idleMs(bytes)) : 0);
      if (limit == null || own > limit.periodMs()) {
        limit = ownLimit(name, chain.hopName(unit.last()), unit.tier(), link, compute, send, linkFloor, own);
      }
    }
    for (UnitPrediction unit : results) {
      double node = nodeMs.get(unit.tier());
      if (node > limit.periodMs()) {
        limit = new Limit(Limit.Kind.NODE_CPU, null, null, unit.tier(), node);
      }
    }
    if (hostMs > limit.periodMs()) {
      limit = new Limit(Limit.Kind.HOST_CPU, null, null, null, hostMs);
    }
    double fps = limit.periodMs() > 0 ? 1000.0 / limit.periodMs() : Double.POSITIVE_INFINITY;
    return new Prediction(placement, results, latency, fps, limit);
  }

  /** The edge-server link as the profile and the options give it; null without a rate. */
  private LinkWire wire(LinkClass link) {
    double rate = costs.linkBitsPerSec(link);
    return rate > 0 ? new LinkWire(rate, options.linkBurstBytes()) : null;
  }

  /** What limits one service by itself: its link when the uplink sets its pace, else the larger of its hop and its compute. */
  private static Limit ownLimit(String name, String hop, Tier tier, LinkClass link, double compute, double send,
      boolean linkFloor, double period) {
    if (linkFloor || (send > compute && !link.inNode())) {
      return new Limit(Limit.Kind.LINK, name, hop, tier, period);
    }
    if (send > compute) {
      return new Limit(Limit.Kind.HOP, name, hop, tier, period);
    }
    return new Limit(Limit.Kind.COMPUTE, name, null, tier, period);
  }

  private double compute(ServiceUnit unit) {
    double compute = 0;
    for (int stage = unit.first(); stage <= unit.last(); stage++) {
      compute += costs.computeMs(stage, unit.tier());
    }
    return compute;
  }

  /**
   * Per tier with its cores given, the period its CPU allows: CPU per frame of all its services
   * over the cores they leave free. With every service's CPU measured in a running chain
   * ({@link CostModel#serviceCpu}) that is their per-frame CPU over the node's cores less their
   * background cores; otherwise it is estimated as their compute plus half of each hop's CPU at
   * either end, with no background.
   */
  private Map<Tier, Double> nodePeriods(List<ServiceUnit> units, Tier sinkTier) {
    Map<Tier, double[]> load = loads(units, sinkTier);
    Map<Tier, Double> periods = new EnumMap<>(Tier.class);
    for (Tier tier : Tier.values()) {
      double[] l = load.get(tier);
      periods.put(tier, period(Math.max(0, l[0]), l[1], options.cores(tier)));
    }
    return periods;
  }

  /** With both nodes on one host ({@code hostCores}), the period at which the host's cores do all the work; else 0. */
  private double hostPeriod(List<ServiceUnit> units, Tier sinkTier) {
    if (options.hostCores() <= 0) {
      return 0;
    }
    double[] host = new double[2];
    for (double[] l : loads(units, sinkTier).values()) {
      host[0] += Math.max(0, l[0]);
      host[1] += l[1];
    }
    return period(host[0], host[1], options.hostCores());
  }

  /** Per tier: {CPU ms per frame, background cores} of the services on it. */
  private Map<Tier, double[]> loads(List<ServiceUnit> units, Tier sinkTier) {
    Map<Tier, double[]> load = new EnumMap<>(Tier.class);
    for (Tier tier : Tier.values()) {
      load.put(tier, new double[2]);
    }
    boolean measured = units.stream().allMatch(this::hasServiceCpu);
    for (int u = 0; u < units.size(); u++) {
      ServiceUnit unit = units.get(u);
      double[] own = load.get(unit.tier());
      if (measured) {
        double background = 0;
        for (int stage = unit.first(); stage <= unit.last(); stage++) {
          own[0] += costs.serviceCpu(stage, unit.tier()).cpuMsPerFrame();
          background = Math.max(background, costs.serviceCpu(stage, unit.tier()).backgroundCores());
          if (stage < unit.last()) {
            own[0] -= costs.hopCpuMs(stage); // fused: the hop inside the process is gone
          }
        }
        own[1] += background; // one process, one JVM's background
        Tier receiver = u + 1 < units.size() ? units.get(u + 1).tier() : sinkTier;
        if (options.hopCpu() == PlannerOptions.HopCpu.IN_NODE_BASIS && receiver != unit.tier()) {
          // a socket hop instead of a shared-memory slot: its measured CPU, half at each end
          own[0] += costs.hopCpuMs(unit.last()) / 2;
          load.get(receiver)[0] += costs.hopCpuMs(unit.last()) / 2;
        }
      } else {
        double cores = options.cores(unit.tier());
        // a time measured under a quota below one core is that many times longer than its CPU time
        own[0] += compute(unit) * (cores > 0 ? Math.min(1, cores) : 1) + costs.hopCpuMs(unit.last()) / 2;
        Tier receiver = u + 1 < units.size() ? units.get(u + 1).tier() : sinkTier;
        load.get(receiver)[0] += costs.hopCpuMs(unit.last()) / 2;
      }
    }
    return load;
  }

  private boolean hasServiceCpu(ServiceUnit unit) {
    for (int stage = unit.first(); stage <= unit.last(); stage++) {
      if (costs.serviceCpu(stage, unit.tier()) == null) {
        return false;
      }
    }
    return true;
  }

  /** ms per frame at which {@code cores} keep up, after the background's share ({@link QuotaCpu}); 0 = no limit. */
  private static double period(double msPerFrame, double backgroundCores, double cores) {
    if (cores <= 0 || msPerFrame <= 0) {
      return 0;
    }
    return 1000 / QuotaCpu.of(cores).fps(msPerFrame, backgroundCores);
  }
}
