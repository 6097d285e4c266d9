package io.edgepipe.planner.predict;

import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput with r replicas of the bottleneck stage when it runs on the server (edge devices
 * are fixed hardware; the server is where capacity can be added). r goes up to --max-replicas
 * and, when the server's cores are given, to that many cores: a replica beyond the core count
 * only time-slices with the others. The prediction model (the server's CPU, the shared uplink)
 * applies unchanged, so replicas do not help a server whose CPU is the limit.
 */
public final class ReplicaAnalysis {
  private ReplicaAnalysis() {}

  public static ReplicaAdvice analyze(ChainPredictor predictor, Prediction base, PlannerOptions options) {
    StageChain chain = predictor.costs().chain();
    Limit limit = base.limit();
    String stage = limit.service();
    switch (limit.kind()) {
      case NODE_CPU, HOST_CPU:
        return ReplicaAdvice.notApplicable(null, limit.describe() + " is the limit; replicas there would share "
            + "the same cores");
      case LINK:
        return ReplicaAdvice.notApplicable(stage, limit.describe() + " is the limit; replicas would share that "
            + "one link");
      default:
        break;
    }
    int index = chain.indexOf(stage);
    if (index == 0) {
      return ReplicaAdvice.notApplicable(stage, limit.describe() + " is the limit, and the producer holds the sink "
          + "and runs once");
    }
    if (limit.tier() != Tier.SERVER) {
      return ReplicaAdvice.notApplicable(stage, limit.describe() + " is the limit; replicas are only considered on "
          + "the server");
    }
    int max = options.maxReplicas();
    if (options.serverCores() > 0) {
      max = Math.min(max, Math.max(1, (int) Math.floor(options.serverCores())));
    }
    if (max < 2) {
      return ReplicaAdvice.notApplicable(stage, "--max-replicas " + options.maxReplicas()
          + (options.serverCores() > 0 ? " and --server-cores " + options.serverCores() : "") + " allow one replica only");
    }
    List<ReplicaAdvice.ReplicaOption> rows = new ArrayList<>();
    int best = 1;
    Prediction bestPrediction = base;
    for (int r = 1; r <= max; r++) {
      List<ServiceUnit> units = new ArrayList<>(ServiceUnit.plain(base.placement()));
      units.set(index, units.get(index).withReplicas(r));
      Prediction prediction = predictor.predict(base.placement(), units);
      rows.add(new ReplicaAdvice.ReplicaOption(r, prediction));
      if (PlacementRanking.rounded(prediction.fps()) > PlacementRanking.rounded(bestPrediction.fps())) {
        best = r;
        bestPrediction = prediction;
      }
    }
    return new ReplicaAdvice(stage, rows, best, null);
  }
}
