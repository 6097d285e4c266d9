package io.edgepipe.experiments;

import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.planner.predict.LinkWire;
import java.util.List;
import java.util.Optional;

/**
 * What a node pays per frame for receiving a hop over a link slower than the calibration link,
 * beyond what the calibration visits (at {@link GridExperiment#CALIBRATION_LINK}) and the profile's
 * loopback hops show: per TCP segment received, from ESSS flat out and unthrottled at that link
 * before the grid ("rx|ESSS|100mbit").
 *
 * <p>Why per segment received: at 1 Gbit a segment arrives every 12 us and the receiving event
 * loop reads many at once; at 100 Mbit one arrives every 116 us, at 10 Mbit every 1.2 ms, and the
 * receiver wakes, reads and runs gRPC's pipeline for each. In the four kept quiet grids (sessions
 * 7-10), the nodes' CPU per frame at 2 cores over 100 Mbit and 10 Mbit exceeded the same
 * placement's at 1 Gbit by about 27 and 36 us per segment the node received and 1 and 4 us per
 * segment it sent (least squares over ESSS, EESS and EEES, both sizes, sessions 8-10): ESSS's
 * edge at 256x256 used 2.1-3.0 ms a frame over 100 Mbit against 1.2-1.5 at 1 Gbit, and under a
 * 0.25-core quota passed 80-109 fps where the model without this cost said 147-177. Those grid
 * points only found the cost; this class takes it from a calibration visit, never from them.
 *
 * <p>Per node, from the visit: (its CPU per frame at the link - the same at the calibration link,
 * ESSS's least-CPU calibration pass) / the segments it receives a frame (the edge: the sink's hop;
 * the server: the producer's). In E^k S^(n-k) the server receives hop k-1 and the edge the sink's.
 *
 * @param edgeMsPerSegment   the edge's extra CPU per segment it receives over the link
 * @param serverMsPerSegment the server's
 */
record GridLinkReceive(double edgeMsPerSegment, double serverMsPerSegment) {
  /** The visits' label prefix: "rx|ESSS|" + the link. */
  static final String LABEL = "rx";
  /** The placement the visits run: one hop over the link each way, its edge busy with the producer only. */
  static final String PLACEMENT = "ESSS";
  static final GridLinkReceive NONE = new GridLinkReceive(0, 0);

  /**
   * Frames the visit at a slow link sees at least: its rate is a cap ({@link #cap}), and ESSS at
   * 10 Mbit and 512x512 passes 4.5 frames a second, so a 2 s window counts 8 or 9 (session 10's
   * grid measured 2.90, 2.91 and 4.02 fps for the same point).
   */
  static final int MIN_FRAMES = 30;

  /**
   * Seconds of the visit at {@code link} after its settling: the calibration visits' {@code seconds},
   * or as long as {@value #MIN_FRAMES} frames of {@code upBytes} (the producer's hop) take on the wire.
   */
  static double visitSeconds(double seconds, long upBytes, String link) {
    return GridExperiment.framesOnWireSeconds(seconds, MIN_FRAMES, upBytes, link);
  }

  /** The visit's label at {@code link} ("100mbit"). */
  static String label(String link) {
    return LABEL + "|" + PLACEMENT + "|" + link;
  }

  /** The grid's links slower than the calibration link: where the grid visits ESSS before its repeats. */
  static List<String> slowLinks(List<String> links) {
    double cal = BitRate.parse(GridExperiment.CALIBRATION_LINK);
    return links.stream().filter(l -> BitRate.parse(l) < cal).toList();
  }

  /** Segments a payload of {@code bytes} takes, as the planner's wire model counts them. */
  static long segments(long bytes) {
    return LinkWire.segments(bytes);
  }

  /**
   * The extra at {@code linkBps} from the run's visit there; {@link #NONE} where the run made none
   * (every run before session 11) or the calibration visit it compares with is missing.
   *
   * @param calibration ESSS's calibration pass at the calibration link (the least edge CPU per frame)
   * @param edgeIdle    cores the edge's JVMs burn with no frames (both visits run the same JVMs)
   * @param serverIdle  the server's
   * @param upBytes     the hop ESSS sends over the link (the producer's)
   * @param downBytes   the hop it receives back (the sink's)
   */
  static GridLinkReceive of(List<GridModel.Visit> visits, double linkBps, GridCpuFit.Visit calibration,
      double edgeIdle, double serverIdle, long upBytes, long downBytes) {
    Optional<GridModel.Visit> at = visits.stream().filter(v -> v.label().startsWith(LABEL + "|" + PLACEMENT + "|")
        && sameRate(rate(v), linkBps) && v.fps() > 0).findFirst();
    if (at.isEmpty() || calibration == null || !(calibration.fps() > 0) || segments(upBytes) == 0
        || segments(downBytes) == 0) {
      return NONE;
    }
    GridModel.Visit v = at.get();
    double edge = GridCpuFit.perFrameMs(v.edgeCores(), edgeIdle, v.fps()) - GridCpuFit.perFrameMs(calibration.edgeCores(), edgeIdle,
        calibration.fps());
    double server = GridCpuFit.perFrameMs(v.serverCores(), serverIdle, v.fps()) - GridCpuFit.perFrameMs(calibration.serverCores(),
        serverIdle, calibration.fps());
    // cheaper than at the calibration link tells nothing (noise): no negative cost
    return new GridLinkReceive(Math.max(0, edge) / segments(downBytes), Math.max(0, server) / segments(upBytes));
  }

  /**
   * The most frames per second {@code placement} passed in the run's visits at a link at least as
   * fast as {@code linkBps} (ESSS's only; infinite for the others and without such a visit): no
   * scenario at that link gives ESSS more CPU or a faster link than its unthrottled visit there,
   * as {@link GridModel#fastestCalibration} holds every edge placement at the calibration link. Its
   * hops over the link each way are as large (64 KiB at 256, 256 KiB at 512), and ESSS's link-bound
   * points ran below the wire's rate in every kept grid (100 Mbit, 2 cores: 3-8% below it in
   * sessions 8-10, 26-31% in session 7), where EESS and EEES, whose hop back is a quarter of the
   * one out, ran at it (within 1%): what takes the rest is not in the wire model, and the visit
   * measures it.
   */
  static double cap(List<GridModel.Visit> visits, String placement, double linkBps) {
    if (!placement.equals(PLACEMENT)) {
      return Double.POSITIVE_INFINITY;
    }
    return visits.stream().filter(v -> v.label().startsWith(LABEL + "|" + PLACEMENT + "|") && v.fps() > 0
        && rate(v) >= linkBps * 0.99).mapToDouble(GridModel.Visit::fps).min().orElse(Double.POSITIVE_INFINITY);
  }

  /** The limit column of a prediction held to {@link #cap}: the visit at the slowest link at least as fast as the scenario's. */
  static String limit(List<GridModel.Visit> visits, double linkBps) {
    return visits.stream().filter(v -> v.label().startsWith(LABEL + "|" + PLACEMENT + "|") && v.fps() > 0
        && rate(v) >= linkBps * 0.99).min(java.util.Comparator.comparingDouble(GridLinkReceive::rate))
        .map(v -> "visit " + v.label() + " (unthrottled)").orElse("-");
  }

  private static double rate(GridModel.Visit v) {
    return BitRate.parse(v.label().substring(LABEL.length() + PLACEMENT.length() + 2));
  }

  /** The edge's extra CPU per frame receiving the sink's hop of {@code bytes} over the link. */
  double edgeMs(long bytes) {
    return edgeMsPerSegment * segments(bytes);
  }

  /** The server's extra CPU per frame receiving a hop of {@code bytes} over the link. */
  double serverMs(long bytes) {
    return serverMsPerSegment * segments(bytes);
  }

  private static boolean sameRate(double a, double b) {
    return Math.abs(a - b) <= 0.01 * Math.max(a, b);
  }

}
