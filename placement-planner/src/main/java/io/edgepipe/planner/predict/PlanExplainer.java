package io.edgepipe.planner.predict;

import java.util.List;
import java.util.Locale;

/** One sentence that says why the winner won, naming the rule that decided it. */
final class PlanExplainer {
  private PlanExplainer() {}

  static String explain(Objective objective, List<Prediction> ranked) {
    Prediction winner = ranked.get(0);
    Limit limit = winner.limit();
    StringBuilder s = new StringBuilder();
    UnitPrediction neck = winner.bottleneckUnit();
    if (objective == Objective.THROUGHPUT && limit.cpuBound()) {
      s.append(String.format(Locale.ROOT, "%s wins on throughput with %s fps: %s is its limit, "
              + "%.2f ms per frame for the services' compute and gRPC hops together",
          winner.placement(), Format.fps(winner.fps()), limit.describe(), limit.periodMs()));
    } else if (objective == Objective.THROUGHPUT) {
      s.append(String.format(Locale.ROOT, "%s wins on throughput with %s fps: %s is its limit; %s on the %s "
              + "needs %.2f ms per frame (%.2f ms compute + %.2f ms send%s)",
          winner.placement(), Format.fps(winner.fps()), limit.describe(), neck.name(), neck.tier(), neck.periodMs(),
          neck.computeMs(), neck.sendMs(), neck.replicas() > 1 ? ", over " + neck.replicas() + " replicas" : ""));
    } else {
      double compute = winner.units().stream().mapToDouble(UnitPrediction::computeMs).sum();
      s.append(String.format(Locale.ROOT, "%s wins on latency with %.2f ms end to end (%.2f ms compute + %.2f ms "
              + "transfer) at %s fps", winner.placement(), winner.latencyMs(), compute, winner.latencyMs() - compute,
          Format.fps(winner.fps())));
    }
    if (ranked.size() > 1) {
      Prediction second = ranked.get(1);
      s.append("; ").append(runnerUp(objective, winner, second));
    }
    return s.append('.').toString();
  }

  private static String runnerUp(Objective objective, Prediction winner, Prediction second) {
    String metric = objective == Objective.THROUGHPUT ? "fps" : "latency";
    switch (PlacementRanking.decidedBy(objective, winner, second)) {
      case OBJECTIVE:
        return objective == Objective.THROUGHPUT
            ? String.format(Locale.ROOT, "the runner-up %s reaches %s fps (bottleneck %s)", second.placement(),
                Format.fps(second.fps()), second.bottleneck())
            : String.format(Locale.ROOT, "the runner-up %s takes %.2f ms", second.placement(), second.latencyMs());
      case OTHER_METRIC:
        return objective == Objective.THROUGHPUT
            ? String.format(Locale.ROOT, "it ties with %s on fps and wins the tie-break on latency (%.2f vs %.2f ms)",
                second.placement(), winner.latencyMs(), second.latencyMs())
            : String.format(Locale.ROOT, "it ties with %s on latency and wins the tie-break on throughput (%s vs %s fps)",
                second.placement(), Format.fps(winner.fps()), Format.fps(second.fps()));
      case FEWER_ON_SERVER:
        return "it ties with " + second.placement() + " on " + metric + " and on the other metric, and wins the "
            + "tie-break by putting fewer stages on the server";
      default:
        return "it ties with " + second.placement() + " on every metric and server share, and comes first "
            + "in lexical order";
    }
  }
}
