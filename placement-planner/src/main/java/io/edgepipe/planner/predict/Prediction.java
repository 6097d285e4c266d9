package io.edgepipe.planner.predict;

import io.edgepipe.planner.Placement;
import java.util.List;

/**
 * What a placement is predicted to do.
 *
 * @param placement  the placement
 * @param units      one entry per service, chain order
 * @param latencyMs  end-to-end time of one frame: all compute plus all transfers, sink included
 * @param fps        pipelined throughput: 1000 / the slowest service's period
 * @param bottleneck name of the service with the longest period (the first one on a tie)
 */
public record Prediction(Placement placement, List<UnitPrediction> units, double latencyMs, double fps,
    String bottleneck) {

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

  public UnitPrediction bottleneckUnit() {
    return unit(bottleneck);
  }

  /** Milliseconds between frames at the predicted throughput. */
  public double periodMs() {
    return bottleneckUnit().periodMs();
  }

  /** CCR of a stage (its name in a plain, unfused prediction). */
  public double ccr(String stage) {
    return unit(stage).ccr();
  }
}
