package io.edgepipe.planner.predict;

import io.edgepipe.planner.Tier;
import io.edgepipe.planner.profile.LinkClass;

/**
 * Predicted cost of one service of a placement.
 *
 * @param name      stage name ("conv"), or "conv+relu" when fused
 * @param tier      where it runs
 * @param replicas  how many copies share its frames
 * @param computeMs compute per frame on its tier, after core sharing
 * @param sendMs    time to move its output to the next service (or the sink) over {@code sendLink}
 * @param sendLink  the link class its output hop crosses
 * @param periodMs  time between frames it can sustain: (compute + send) / replicas, but never
 *                  less than the send time when the send crosses the shared edge-server link
 * @param ccr       sendMs / computeMs; NaN when the compute time is 0 (an unmeasured producer)
 */
public record UnitPrediction(
    String name,
    Tier tier,
    int replicas,
    double computeMs,
    double sendMs,
    LinkClass sendLink,
    double periodMs,
    double ccr) {}
