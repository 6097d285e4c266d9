package io.edgepipe.planner.predict;

import io.edgepipe.api.Tier;
import java.util.Comparator;

/**
 * Orders predictions best first. Numbers are compared rounded to 0.001 (ms or fps), so values
 * that differ only by floating-point noise tie. On a tie of the objective the other metric
 * decides (equal fps: lower latency wins; equal latency: higher fps wins); then fewer stages on
 * the server (the server is the shared, contended resource, and an edge-heavy placement keeps
 * working when the uplink is congested); then the placement string in lexical order, so the
 * answer is always deterministic.
 */
public final class PlacementRanking {
  private PlacementRanking() {}

  /** Why {@code winner} ranks above {@code other}, as the rule that decided it. */
  public enum Reason { OBJECTIVE, OTHER_METRIC, FEWER_ON_SERVER, LEXICAL }

  public static Comparator<Prediction> comparator(Objective objective) {
    return (a, b) -> {
      for (Reason reason : Reason.values()) {
        int c = compareBy(reason, objective, a, b);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
  }

  /** The first rule that separates the two, for the explanation sentence. */
  public static Reason decidedBy(Objective objective, Prediction winner, Prediction other) {
    for (Reason reason : Reason.values()) {
      if (compareBy(reason, objective, winner, other) != 0) {
        return reason;
      }
    }
    return Reason.LEXICAL;
  }

  private static int compareBy(Reason reason, Objective objective, Prediction a, Prediction b) {
    switch (reason) {
      case OBJECTIVE:
        return objective == Objective.THROUGHPUT ? byFps(a, b) : byLatency(a, b);
      case OTHER_METRIC:
        return objective == Objective.THROUGHPUT ? byLatency(a, b) : byFps(a, b);
      case FEWER_ON_SERVER:
        return Integer.compare(a.placement().count(Tier.SERVER), b.placement().count(Tier.SERVER));
      default:
        return a.placement().letters().compareTo(b.placement().letters());
    }
  }

  private static int byFps(Prediction a, Prediction b) {
    return Double.compare(rounded(b.fps()), rounded(a.fps())); // higher first
  }

  private static int byLatency(Prediction a, Prediction b) {
    return Double.compare(rounded(a.latencyMs()), rounded(b.latencyMs()));
  }

  static double rounded(double value) {
    return Double.isInfinite(value) ? value : Math.round(value * 1000.0) / 1000.0;
  }

  /** True when {@code candidate} is better than {@code base} on the objective (beyond rounding). */
  public static boolean improves(Objective objective, Prediction candidate, Prediction base) {
    return compareBy(Reason.OBJECTIVE, objective, candidate, base) < 0;
  }
}
