package io.edgepipe.producer;

import java.util.List;
import java.util.Map;

/**
 * What the sink saw over a run.
 *
 * @param delivered   frames that reached the sink (each (flow, seq) once)
 * @param dropped     frames dropped on the way in realtime delivery (tombstones), by any stage
 * @param rejected    frames refused as malformed or failed somewhere (tombstones)
 * @param duplicates  re-sent frames the sink had already delivered (reliable delivery), not delivered again
 * @param outOfOrder  frames that arrived after a later frame of their flow
 * @param gaps        sequence numbers never accounted for before the highest one seen, per flow, summed
 * @param seconds     first capture to last delivery
 * @param fps         delivered / seconds
 * @param dropReasons tombstones by reason ("queue full at relu", "deadline at conv", ...)
 */
public record RunSummary(
    long delivered,
    long dropped,
    long rejected,
    long duplicates,
    long outOfOrder,
    long gaps,
    double seconds,
    double fps,
    double latencyP50Ms,
    double latencyP95Ms,
    double latencyP99Ms,
    double latencyMeanMs,
    List<PhaseRow> phases,
    List<FlowAccount> flows,
    Map<String, Long> dropReasons) {}
