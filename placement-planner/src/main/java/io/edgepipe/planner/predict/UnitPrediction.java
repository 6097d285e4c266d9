package io.edgepipe.planner.predict;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.LinkClass;

/**
 * Predicted cost of one service of a placement.
 *
 * @param name      stage name ("conv"), or "conv+relu" when fused
 * @param tier      where it runs
 * @param replicas  how many copies share its frames
 * @param computeMs compute per frame on its tier, as measured there
 * @param sendMs    time to move its output to the next service (or the sink) over {@code sendLink}
 * @param sendLink  the link class its output hop crosses
 * @param periodMs  time between frames it can sustain: (compute + send) / replicas, but never
 *                  less than the send time when the send crosses the shared edge-server link,
 *                  nor less than {@code nodeMs}
 * @param ccr       sendMs / computeMs; NaN when the compute time is 0 (an unmeasured producer)
 * @param nodeMs    CPU time per frame that every service on its node needs together (their
 *                  compute and their ends of each gRPC hop), divided by the node's cores: the
 *                  node cannot pass frames faster than that; 0 when the node's cores are not given
 */
public record UnitPrediction(
    String name,
    Tier tier,
    int replicas,
    double computeMs,
    double sendMs,
    LinkClass sendLink,
    double periodMs,
    double ccr,
    double nodeMs) {

  /** Whether its node's CPU, not the service itself, sets its period. */
  public boolean nodeBound() {
    return nodeMs > 0 && nodeMs >= periodMs - 1e-12;
  }
}
