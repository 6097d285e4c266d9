package io.edgepipe.experiments;

import java.util.List;

/**
 * How much each experiment measures. {@link #fullPlan()} is sized for about a quarter of an hour on a
 * 2-core machine (without the testbed), {@link #quickPlan()} for about two minutes.
 *
 * @param sizes          square frame sides of E1/E2 (and E4/E5)
 * @param latencyFrames  E1: frames timed per size and mode, one in flight at a time
 * @param latencyWarmup  E1: untimed frames first, per size and mode
 * @param e3Frames       E3: frames of 1280x720 per variant (the thesis streamed 1000)
 * @param e3Warmup       E3: leading frames left out of the steady-state rate
 * @param e3Rounds       E3: rounds through every variant (the report gives the median and the spread)
 * @param placementFrames E4: frames per placement, size and bandwidth (throughput run)
 * @param placementLatencyFrames E4: most frames of the paced latency run
 * @param placementLatencySeconds E4: about how long the paced latency run lasts
 * @param bandwidths     E4/E5: link rates, each one testbed
 * @param profileFrames  E5: timed frames per compute / hop measurement of the profile (at least)
 * @param computeSeconds E5: each compute measurement runs at least this long (so a CPU cap's throttling shows)
 * @param flowSteps      E6: numbers of concurrent flows to try, ascending
 * @param flowSeconds    E6: seconds of camera time per step
 * @param flowWidth      E6: frame width
 * @param flowHeight     E6: frame height
 * @param flowFps        E6: each camera's rate
 * @param deadlineMs     E6: a frame later than this (end to end, from when the camera took it) is late
 * @param lateTolerancePct E6: share of late frames a flow count may have and still count as carried
 */
public record SuitePlan(
    boolean quick,
    List<Integer> sizes,
    int latencyFrames,
    int latencyWarmup,
    int e3Frames,
    int e3Warmup,
    int e3Rounds,
    int placementFrames,
    int placementLatencyFrames,
    double placementLatencySeconds,
    List<String> bandwidths,
    int profileFrames,
    double computeSeconds,
    List<Integer> flowSteps,
    double flowSeconds,
    int flowWidth,
    int flowHeight,
    double flowFps,
    double deadlineMs,
    double lateTolerancePct) {

  public static final List<Integer> SIZES = List.of(128, 256, 512, 1024);

  public static SuitePlan fullPlan() {
    return new SuitePlan(false, SIZES, 100, 20, 1000, 50, 3, 300, 120, 6, List.of("1gbit", "100mbit"), 20, 1.0,
        List.of(1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32), 10, 640, 360, 30, 100, 1);
  }

  public static SuitePlan quickPlan() {
    return new SuitePlan(true, SIZES, 10, 4, 200, 20, 1, 80, 60, 4, List.of("1gbit", "100mbit"), 6, 0.3,
        List.of(1, 2, 4, 8, 12, 16, 24), 3, 640, 360, 30, 100, 1);
  }

  /** The same plan with other frame sides (E1/E2, E4/E5). */
  public SuitePlan withSizes(List<Integer> value) {
    return new SuitePlan(quick, List.copyOf(value), latencyFrames, latencyWarmup, e3Frames, e3Warmup, e3Rounds, placementFrames,
        placementLatencyFrames, placementLatencySeconds, bandwidths, profileFrames, computeSeconds, flowSteps,
        flowSeconds, flowWidth, flowHeight, flowFps, deadlineMs, lateTolerancePct);
  }

  /** The same plan with other link rates (E4/E5). */
  public SuitePlan withBandwidths(List<String> value) {
    return new SuitePlan(quick, sizes, latencyFrames, latencyWarmup, e3Frames, e3Warmup, e3Rounds, placementFrames,
        placementLatencyFrames, placementLatencySeconds, List.copyOf(value), profileFrames, computeSeconds, flowSteps,
        flowSeconds, flowWidth, flowHeight, flowFps, deadlineMs, lateTolerancePct);
  }

  /** Frames per flow of one E6 step. */
  public long flowFrames() {
    return Math.round(flowSeconds * flowFps) + flowWarmup();
  }

  /** E6: the first second of every step is left out (connections, buffers of a new size). */
  public long flowWarmup() {
    return Math.round(flowFps);
  }
}
