package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;

import io.edgepipe.experiments.ModelCutExperiment.CutColumn;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.planner.predict.CpuCalibration;
import io.edgepipe.planner.predict.CutPlanner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A sweep's predictions from CPU costs calibrated on three of its cells ({@code
 * -Dedgepipe.cuts.calibrate=true}, opt-in): at the fastest link, the all-server cut, the all-edge
 * cut and the cut with layers on both nodes whose bytes up are the median of such cuts. Per tier,
 * {@link CpuCalibration} fits CPU per frame = fixed + slope x the plan's compute on that tier +
 * cost per byte that tier sends (the edge: bytes up; the server: the results back); a cell's fps is
 * then the lowest of the edge's cores, the server's cores (the host's less the edge's) over their
 * fitted CPU, and the link's rate over the larger of the two ways' bytes.
 *
 * <p>Why: the profile's figures put BlazeFace's best cut at 1 Gbit at cut 7 where all-server
 * measured twice as fast; its compute is 1.5-2x too high on both tiers and a fixed cost per frame
 * is missing (reports/s9-cuts.md). Calibration cells are the ones a user can run first.
 */
final class CalibratedCuts {
  static final String PROPERTY = "edgepipe.cuts.calibrate";
  /** The calibration cut with layers on both nodes, where the user names one (default: the median bytes up). */
  static final String CUT_PROPERTY = "edgepipe.cuts.calibrate.cut";

  /** A cell's calibrated prediction; rank 1 is the fastest at its link. */
  record Cell(double fps, double edgeCpuMs, int rank) {}

  /** The calibration: cells used, the fits, and every (link, cut)'s prediction. */
  record Result(String link, Set<Integer> cuts, CpuCalibration.Fit edge, CpuCalibration.Fit server,
      Map<String, Map<Integer, Cell>> cells) {
    String describe() {
      return String.format(Locale.ROOT, "Calibrated (-D%s=true) on cuts %s at %s: edge CPU %.2f ms + %.2f x "
          + "compute + %.2f ns/B up, server %.2f ms + %.2f x compute + %.2f ns/B down", PROPERTY, cuts, link,
          edge.fixedMs(), edge.slope(), edge.msPerByte() * 1e6, server.fixedMs(), server.slope(),
          server.msPerByte() * 1e6);
    }
  }

  private CalibratedCuts() {}

  static boolean enabled() {
    return Boolean.getBoolean(PROPERTY);
  }

  static Result of(List<Map<String, String>> rows, Map<String, CutPlanner.CutPlan> plans, int layers,
      double edgeCpu, int hostCores) {
    String fastest = plans.keySet().stream().max(Comparator.comparingDouble(BitRate::parse)).orElseThrow();
    CutPlanner.CutPlan plan = plans.get(fastest);
    List<Integer> both = rows.stream().filter(r -> str(r, CutColumn.LINK).equals(fastest))
        .map(r -> (int) num(r, CutColumn.CUT)).filter(c -> c > 0 && c < layers).distinct()
        .sorted(Comparator.<Integer>comparingLong(c -> plan.singles().get(c).bytesUp()).thenComparing(c -> c))
        .toList();
    if (both.isEmpty()) {
      throw new IllegalArgumentException("calibration needs a cut with layers on both nodes measured at " + fastest);
    }
    int named = Integer.getInteger(CUT_PROPERTY, -1);
    if (named >= 0 && !both.contains(named)) {
      throw new IllegalArgumentException("-D" + CUT_PROPERTY + "=" + named + " is not a cut with layers on both nodes "
          + "measured at " + fastest);
    }
    Set<Integer> cuts = Set.of(0, layers, named >= 0 ? named : both.get((both.size() - 1) / 2));
    List<CpuCalibration.Cell> edge = new ArrayList<>();
    List<CpuCalibration.Cell> server = new ArrayList<>();
    for (Map<String, String> r : rows) {
      int cut = (int) num(r, CutColumn.CUT);
      if (str(r, CutColumn.LINK).equals(fastest) && cuts.contains(cut)) {
        CutPlanner.CutPrediction p = plan.singles().get(cut);
        edge.add(new CpuCalibration.Cell(p.edgeMs(), p.bytesUp(), num(r, CutColumn.MEAS_EDGE_CPU_MS)));
        server.add(new CpuCalibration.Cell(p.serverMs(), p.bytesDown(), num(r, CutColumn.MEAS_SERVER_CPU_MS)));
      }
    }
    if (edge.stream().anyMatch(c -> Double.isNaN(c.cpuMs())) || server.stream().anyMatch(c -> Double.isNaN(c.cpuMs()))) {
      throw new IllegalArgumentException("calibration needs the edge's and the server's measured CPU per frame at cuts "
          + new java.util.TreeSet<>(cuts) + " at " + fastest + "; this sweep did not record them");
    }
    CpuCalibration.Fit edgeFit = CpuCalibration.fit(edge);
    CpuCalibration.Fit serverFit = CpuCalibration.fit(server);
    Map<String, Map<Integer, Cell>> cells = new HashMap<>();
    for (Map.Entry<String, CutPlanner.CutPlan> e : plans.entrySet()) {
      double bits = BitRate.parse(e.getKey());
      Map<Integer, double[]> fpsAndCpu = new HashMap<>();
      for (CutPlanner.CutPrediction p : e.getValue().singles()) {
        double edgeCpuMs = edgeFit.cpuMs(p.edgeMs(), p.bytesUp());
        double serverCpuMs = p.cut() == layers ? 0 : serverFit.cpuMs(p.serverMs(), p.bytesDown());
        double fps = Math.min(bound(edgeCpu * 1000, edgeCpuMs), bound((hostCores - edgeCpu) * 1000, serverCpuMs));
        fps = Math.min(fps, bound(bits / 8, Math.max(p.bytesUp(), p.bytesDown())));
        if (Double.isInfinite(fps)) {
          fps = p.fps(); // the fits charge this cut nothing anywhere: keep the profile's figure
        }
        fpsAndCpu.put(p.cut(), new double[] {fps, edgeCpuMs});
      }
      List<Integer> order = fpsAndCpu.keySet().stream()
          .sorted(Comparator.<Integer>comparingDouble(c -> -fpsAndCpu.get(c)[0]).thenComparing(c -> c)).toList();
      Map<Integer, Cell> byCut = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        double[] v = fpsAndCpu.get(order.get(i));
        byCut.put(order.get(i), new Cell(v[0], v[1], i + 1));
      }
      cells.put(e.getKey(), byCut);
    }
    return new Result(fastest, new java.util.TreeSet<>(cuts), edgeFit, serverFit, cells);
  }

  /** Frames a second that {@code capacity} (per second) allows at {@code cost} a frame; none where nothing is spent. */
  private static double bound(double capacity, double cost) {
    return cost > 0 ? capacity / cost : Double.POSITIVE_INFINITY;
  }
}
