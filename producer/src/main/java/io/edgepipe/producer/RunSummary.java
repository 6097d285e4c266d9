package io.edgepipe.producer;

import java.util.List;

/**
 * What the sink saw over a run.
 *
 * @param delivered  frames that reached the sink
 * @param outOfOrder frames that arrived with a lower sequence number than one already seen in their flow
 * @param gaps       sequence numbers skipped (never delivered) before the highest one seen, per flow, summed
 * @param seconds    first capture to last delivery
 * @param fps        delivered / seconds
 */
public record RunSummary(
    long delivered,
    int flows,
    long outOfOrder,
    long gaps,
    long duplicates,
    double seconds,
    double fps,
    double latencyP50Ms,
    double latencyP95Ms,
    double latencyP99Ms,
    double latencyMeanMs,
    List<PhaseRow> phases) {}
