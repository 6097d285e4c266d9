package io.edgepipe.planner.predict;

import io.edgepipe.planner.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.Tier;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.LinkClass;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The prediction model (see the module README for the same in prose):
 * <ul>
 *   <li>compute of a service = sum of its stages' compute on its tier, times the tier's sharing
 *       factor max(1, instances on the tier / cores), where instances counts every replica of
 *       every service on that tier. A node with fewer cores than busy processes time-slices
 *       them, so each runs proportionally slower;</li>
 *   <li>send of a service = transfer time of the hop leaving its last stage over the link class
 *       its two ends imply; the last hop returns to the sink on the producer's tier;</li>
 *   <li>latency = sum of all compute and all sends (one frame walks the whole chain);</li>
 *   <li>period of a service = (compute + send) / replicas, since a stage blocks while it sends
 *       (gRPC flow control); when the send crosses the edge-server link the replicas share
 *       that one link, so the period is never below the send time;</li>
 *   <li>throughput = 1000 / the largest period (fps); that service is the bottleneck.</li>
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
    Map<Tier, Double> sharing = sharingFactors(units);
    Tier sinkTier = placement.tier(0);
    List<UnitPrediction> results = new ArrayList<>();
    double latency = 0;
    UnitPrediction slowest = null;
    for (int u = 0; u < units.size(); u++) {
      ServiceUnit unit = units.get(u);
      double compute = 0;
      for (int stage = unit.first(); stage <= unit.last(); stage++) {
        compute += costs.computeMs(stage, unit.tier());
      }
      compute *= sharing.get(unit.tier());
      Tier receiver = u + 1 < units.size() ? units.get(u + 1).tier() : sinkTier;
      LinkClass link = LinkClass.between(unit.tier(), receiver);
      double send = costs.transferMs(unit.last(), link);
      double period = (compute + send) / unit.replicas();
      if (!link.inNode()) {
        period = Math.max(period, send);
      }
      double ccr = compute > 0 ? send / compute : Double.NaN;
      UnitPrediction result = new UnitPrediction(unit.name(chain), unit.tier(), unit.replicas(), compute, send, link,
          period, ccr);
      results.add(result);
      latency += compute + send;
      if (slowest == null || period > slowest.periodMs()) {
        slowest = result;
      }
    }
    double fps = slowest.periodMs() > 0 ? 1000.0 / slowest.periodMs() : Double.POSITIVE_INFINITY;
    return new Prediction(placement, results, latency, fps, slowest.name());
  }

  private Map<Tier, Double> sharingFactors(List<ServiceUnit> units) {
    Map<Tier, Integer> instances = new EnumMap<>(Tier.class);
    for (ServiceUnit unit : units) {
      instances.merge(unit.tier(), unit.replicas(), Integer::sum);
    }
    Map<Tier, Double> factors = new EnumMap<>(Tier.class);
    for (Tier tier : Tier.values()) {
      int cores = options.cores(tier);
      int busy = instances.getOrDefault(tier, 0);
      factors.put(tier, cores <= 0 ? 1.0 : Math.max(1.0, (double) busy / cores));
    }
    return factors;
  }
}
