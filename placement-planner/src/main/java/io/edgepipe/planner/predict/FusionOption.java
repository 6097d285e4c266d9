package io.edgepipe.planner.predict;

import io.edgepipe.api.Tier;

/**
 * Two adjacent stages on the same tier run as one service: the hop between them disappears
 * (no transfer, no serialization) and the fused compute is the sum of both.
 *
 * @param services "conv+relu"
 * @param base     the placement deployed plainly
 * @param fused    the same placement with the pair fused
 * @param wins     whether fusing is better on the objective
 */
public record FusionOption(String services, Tier tier, Prediction base, Prediction fused, boolean wins) {
  public double latencyGainMs() {
    return base.latencyMs() - fused.latencyMs();
  }

  public double fpsGain() {
    return fused.fps() - base.fps();
  }
}
