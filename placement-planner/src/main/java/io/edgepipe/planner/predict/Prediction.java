package io.edgepipe.planner.predict;

import io.edgepipe.api.Placement;
import java.util.List;

/**
 * What a placement is predicted to do.
 *
 * @param placement  the placement
 * @param units      one entry per service, chain order
 * @param latencyMs  end-to-end time of one frame: all compute plus all transfers, sink included
 * @param fps        pipelined throughput: 1000 / the slowest service's period
 * @param limit      what sets the pace (the first service on a tie; a CPU only when it is slower)
 */
public record Prediction(Placement placement, List<UnitPrediction> units, double latencyMs, double fps,
    Limit limit) {

  public Prediction {
    units = List.copyOf(units);
  }

  public UnitPrediction unit(String name) {
    for (UnitPrediction unit : units) {
      if (unit.name().equals(name)) {
        return unit;
      }
    }
    throw new IllegalArgumentException("no service '" + name + "' in " + placement);
  }

  /** What limits, as the table's bottleneck column shows it ("conv compute (S)", "server CPU"). */
  public String bottleneck() {
    return limit.label();
  }

  /** The service whose compute, hop or link limits; null when a CPU shared by several services does. */
  public UnitPrediction bottleneckUnit() {
    return limit.service() == null ? null : unit(limit.service());
  }

  /** Milliseconds between frames at the predicted throughput. */
  public double periodMs() {
    return limit.periodMs();
  }

  /** CCR of a stage (its name in a plain, unfused prediction). */
  public double ccr(String stage) {
    return unit(stage).ccr();
  }
}
