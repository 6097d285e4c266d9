package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.table;

import io.edgepipe.experiments.GridExperiment.BestColumn;
import io.edgepipe.experiments.GridExperiment.PointColumn;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * E4 and E5 of a grid run ({@link GridExperiment}): fps and latency of every placement per
 * scenario on log axes, the repeats' range beside each median; predicted against measured on
 * log-log axes with each point's range; and per scenario who picks a measured-best placement:
 * the planner, always SSSS, or fewest bytes over the link.
 */
final class GridSection {
  static final double FPS_AIM_PCT = 15;
  static final double LAT_AIM_PCT = 25;

  private GridSection() {}

  /** Whether a folder holds a grid run (then these sections replace the single-run E4/E5). */
  static boolean present(ReportContext report) {
    return report.csv(GridExperiment.POINTS_CSV).map(c -> !c.isEmpty()).orElse(false);
  }

  /** E4: the measurements. */
  static final class Measured implements ReportSection {
    @Override
    public String id() {
      return "E4";
    }

    @Override
    public String render(ReportContext report) {
      Csv c = report.csv(GridExperiment.POINTS_CSV).orElseThrow();
      Map<String, String> meta = report.meta();
      StringBuilder sb = new StringBuilder("## E4 — placements on the testbed, a grid of scenarios\n\n");
      sb.append("Grid: ").append(meta.getOrDefault("e4_grid", "-")).append(". Method: ")
          .append(meta.getOrDefault("e4_method", "-")).append(".\n\n");
      for (String side : c.distinct(PointColumn.SIDE)) {
        List<Map<String, String>> rows = c.where(r -> str(r, PointColumn.SIDE).equals(side));
        sb.append(report.image(chart(rows, true, side), "e4_grid_fps_" + side + ".png", "E4 fps " + side));
        sb.append(report.image(chart(rows, false, side), "e4_grid_latency_" + side + ".png", "E4 latency " + side));
      }
      sb.append(reading(read(c)));
      sb.append(table(c, PointColumn.SIDE, PointColumn.EDGE_CPU, PointColumn.LINK, PointColumn.PLACEMENT,
          PointColumn.REPEATS, PointColumn.FPS, PointColumn.FPS_MIN, PointColumn.FPS_MAX, PointColumn.LAT_P50_MS,
          PointColumn.LAT_MIN, PointColumn.LAT_MAX));
      return sb.toString();
    }

    /** Per scenario (x), one line per placement through its medians, its repeats' min and max as dashes. */
    static CategoryChart chart(List<Map<String, String>> rows, boolean fps, String side) {
      List<String> scenarios = new ArrayList<>();
      Map<String, Map<String, double[]>> byPlacement = new LinkedHashMap<>();
      for (Map<String, String> r : rows) {
        String scenario = "cpu " + str(r, PointColumn.EDGE_CPU) + ", " + str(r, PointColumn.LINK);
        if (!scenarios.contains(scenario)) {
          scenarios.add(scenario);
        }
        double[] v = fps ? new double[] {num(r, PointColumn.FPS), num(r, PointColumn.FPS_MIN), num(r, PointColumn.FPS_MAX)}
            : new double[] {num(r, PointColumn.LAT_P50_MS), num(r, PointColumn.LAT_MIN), num(r, PointColumn.LAT_MAX)};
        byPlacement.computeIfAbsent(str(r, PointColumn.PLACEMENT), k -> new LinkedHashMap<>()).put(scenario, v);
      }
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, double[]>> e : byPlacement.entrySet()) {
        List<Double> med = new ArrayList<>();
        for (String sc : scenarios) {
          double[] v = e.getValue().get(sc);
          med.add(v == null ? null : v[0]);
        }
        series.put(e.getKey(), med);
      }
      CategoryChart chart = Charts.categoryLines("E4 " + side + "x" + side + ": " + (fps ? "fps" : "latency p50 (paced)")
          + " per scenario (log; dashes: min and max of the repeats)", "edge cpu (cores), link",
          fps ? "fps" : "latency ms", scenarios, series, true);
      for (Map.Entry<String, Map<String, double[]>> e : byPlacement.entrySet()) {
        for (int k = 1; k <= 2; k++) {
          List<Double> ys = new ArrayList<>();
          for (String sc : scenarios) {
            double[] v = e.getValue().get(sc);
            ys.add(v == null || !(v[k] > 0) ? null : v[k]);
          }
          CategorySeries s = chart.addSeries(e.getKey() + (k == 1 ? " min" : " max"), scenarios, ys);
          s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
          s.setMarker(SeriesMarkers.TRIANGLE_UP);
          s.setShowInLegend(false);
          s.setMarkerColor(Color.GRAY);
        }
      }
      chart.getStyler().setXAxisLabelRotation(30);
      return chart;
    }

    static String read(Csv c) {
      List<String> parts = new ArrayList<>();
      for (String side : c.distinct(PointColumn.SIDE)) {
        List<Map<String, String>> rows = c.where(r -> str(r, PointColumn.SIDE).equals(side));
        double widest = 0;
        String where = "";
        for (Map<String, String> r : rows) {
          double spread = num(r, PointColumn.FPS) > 0 ? (num(r, PointColumn.FPS_MAX) - num(r, PointColumn.FPS_MIN))
              / num(r, PointColumn.FPS) * 100 : 0;
          if (spread > widest) {
            widest = spread;
            where = str(r, PointColumn.PLACEMENT) + " at cpu " + str(r, PointColumn.EDGE_CPU) + ", "
                + str(r, PointColumn.LINK);
          }
        }
        parts.add(String.format(Locale.ROOT, "%sx%s: the widest fps spread over the repeats is %.0f%% of the median "
            + "(%s)", side, side, widest, where));
      }
      return String.join("; ", parts) + ". A difference between two placements smaller than their spread is not "
          + "a difference this grid can see.";
    }
  }

  /** E5: predictions against the measurements, and who picks the best placement. */
  static final class Predicted implements ReportSection {
    @Override
    public String id() {
      return "E5";
    }

    @Override
    public String render(ReportContext report) {
      Csv c = report.csv(GridExperiment.POINTS_CSV).orElseThrow();
      Optional<Csv> best = report.csv(GridExperiment.BEST_CSV);
      Map<String, String> meta = report.meta();
      StringBuilder sb = new StringBuilder("## E5 — planner predictions vs measurements (grid)\n\n");
      sb.append("Profile: ").append(meta.getOrDefault("e5_profile", "-")).append(".\n\n");
      sb.append(report.image(scatter(c, true), "e5_grid_fps.png", "E5 fps predicted vs measured"));
      sb.append(report.image(scatter(c, false), "e5_grid_latency.png", "E5 latency predicted vs measured"));
      sb.append(reading(read(c, best.orElse(null), meta)));
      sb.append(table(c, PointColumn.SIDE, PointColumn.EDGE_CPU, PointColumn.LINK, PointColumn.PLACEMENT,
          PointColumn.PRED_FPS, PointColumn.FPS, PointColumn.FPS_MIN, PointColumn.FPS_MAX, PointColumn.FPS_ERR_PCT,
          PointColumn.PRED_LATENCY_MS, PointColumn.LAT_P50_MS, PointColumn.LAT_ERR_PCT, PointColumn.PRED_LIMIT,
          PointColumn.OLD_PRED_FPS, PointColumn.OLD_FPS_ERR_PCT, PointColumn.OLD_PRED_LATENCY_MS,
          PointColumn.OLD_LAT_ERR_PCT));
      report.csv(GridExperiment.SERVICE_CPU_CSV).filter(x -> !x.isEmpty()).ifPresent(cpu -> sb.append("\nCPU per "
          + "frame of each service on each node, from calibration visits on the testbed before and after the grid "
          + "(the model's input; on the edge with what each service uses beyond that under a quota; background: per "
          + "JVM, what it burns with no frames):\n\n").append(table(cpu, GridExperiment.ServiceCpuColumn.values())));
      best.ifPresent(b -> sb.append("\nBest placement per scenario (by fps; a pick is right when its placement's "
          + "repeats reach the best one's worst repeat):\n\n").append(table(b, BestColumn.values())));
      return sb.toString();
    }

    /** Predicted (y) against measured median (x), log-log, each point's repeats as a horizontal segment. */
    static XYChart scatter(Csv c, boolean fps) {
      XYChart chart = Charts.lines("E5: predicted vs measured " + (fps ? "fps" : "latency p50 ms") + " (log-log; "
          + "segments: min-max of the repeats)", "measured", "predicted", Map.of(), true, true);
      double lo = Double.MAX_VALUE;
      double hi = 0;
      Map<String, List<double[]>> byPlacement = new LinkedHashMap<>();
      for (Map<String, String> r : c.rows()) {
        double m = fps ? num(r, PointColumn.FPS) : num(r, PointColumn.LAT_P50_MS);
        double p = fps ? num(r, PointColumn.PRED_FPS) : num(r, PointColumn.PRED_LATENCY_MS);
        double min = fps ? num(r, PointColumn.FPS_MIN) : num(r, PointColumn.LAT_MIN);
        double max = fps ? num(r, PointColumn.FPS_MAX) : num(r, PointColumn.LAT_MAX);
        if (m > 0 && p > 0 && Double.isFinite(m) && Double.isFinite(p)) {
          byPlacement.computeIfAbsent(str(r, PointColumn.PLACEMENT), k -> new ArrayList<>())
              .add(new double[] {m, p, min, max});
          lo = Math.min(lo, Math.min(m, p));
          hi = Math.max(hi, Math.max(m, p));
        }
      }
      if (hi == 0) {
        return chart;
      }
      for (Map.Entry<String, List<double[]>> e : byPlacement.entrySet()) {
        double[] xs = e.getValue().stream().mapToDouble(v -> v[0]).toArray();
        double[] ys = e.getValue().stream().mapToDouble(v -> v[1]).toArray();
        XYSeries s = chart.addSeries(e.getKey(), xs, ys);
        s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        int i = 0;
        for (double[] v : e.getValue()) {
          if (v[2] > 0 && v[3] > 0) {
            XYSeries seg = chart.addSeries(e.getKey() + " range " + i++, new double[] {v[2], v[3]},
                new double[] {v[1], v[1]});
            seg.setMarker(SeriesMarkers.NONE);
            seg.setLineColor(Color.GRAY);
            seg.setShowInLegend(false);
          }
        }
      }
      double aim = fps ? FPS_AIM_PCT : LAT_AIM_PCT;
      Charts.referenceXy(chart, "predicted = measured", lo, hi, 1, Color.DARK_GRAY);
      Charts.referenceXy(chart, "+" + (int) aim + "%", lo, hi, 1 + aim / 100, Color.LIGHT_GRAY);
      Charts.referenceXy(chart, "-" + (int) aim + "%", lo, hi, 1 - aim / 100, Color.LIGHT_GRAY);
      return chart;
    }

    static String read(Csv c, Csv best, Map<String, String> meta) {
      int n = 0;
      int fpsOk = 0;
      int latN = 0;
      int latOk = 0;
      for (Map<String, String> r : c.rows()) {
        double e = num(r, PointColumn.FPS_ERR_PCT);
        if (Double.isFinite(e)) {
          n++;
          if (Math.abs(e) <= FPS_AIM_PCT) {
            fpsOk++;
          }
        }
        double l = num(r, PointColumn.LAT_ERR_PCT);
        if (Double.isFinite(l)) {
          latN++;
          if (Math.abs(l) <= LAT_AIM_PCT) {
            latOk++;
          }
        }
      }
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Throughput predicted within %.0f%% of the "
          + "measured median in %d of %d points (%.0f%%; aim 90%%); latency within %.0f%% in %d of %d (%.0f%%; aim "
          + "80%%). ", FPS_AIM_PCT, fpsOk, n, pct(fpsOk, n), LAT_AIM_PCT, latOk, latN, pct(latOk, latN)));
      int[] old = within(c, PointColumn.OLD_FPS_ERR_PCT, FPS_AIM_PCT);
      int[] oldLat = within(c, PointColumn.OLD_LAT_ERR_PCT, LAT_AIM_PCT);
      if (old[1] > 0) {
        sb.append(String.format(Locale.ROOT, "The model before (old_*, see the profile line): fps within "
            + "%.0f%% in %d of %d, latency within %.0f%% in %d of %d; median |error| fps %.0f%% before, %.0f%% now. ",
            FPS_AIM_PCT, old[0], old[1], LAT_AIM_PCT, oldLat[0], oldLat[1], medianAbs(c, PointColumn.OLD_FPS_ERR_PCT),
            medianAbs(c, PointColumn.FPS_ERR_PCT)));
      }
      if (best != null && !best.isEmpty()) {
        int s = best.rows().size();
        int planner = count(best, BestColumn.PLANNER_OK);
        int ssss = count(best, BestColumn.ALWAYS_SSSS_OK);
        int fewest = count(best, BestColumn.FEWEST_BYTES_OK);
        sb.append(String.format(Locale.ROOT, "The best placement (within the spread of the repeats) is picked by the "
            + "planner in %d of %d scenarios (aim 90%%), by always SSSS in %d, by fewest bytes over the link "
            + "(EEEE here: nothing crosses) in %d. ", planner, s, ssss, fewest));
        if (best.header().contains(BestColumn.OLD_PLANNER_OK.header())) {
          sb.append(String.format(Locale.ROOT, "The model before picks it in %d. ", count(best, BestColumn.OLD_PLANNER_OK)));
        }
        if (ssss >= planner || fewest >= planner) {
          sb.append("A naive rule does as well as the planner or better here: ")
              .append(ssss >= planner ? "always SSSS (" + ssss + " vs " + planner + ")" : "")
              .append(ssss >= planner && fewest >= planner ? " and " : "")
              .append(fewest >= planner ? "fewest bytes (" + fewest + " vs " + planner + ")" : "").append(". ");
        } else {
          sb.append("Neither naive rule does as well as the planner. ");
        }
      }
      sb.append(cameraOnEdge(c));
      sb.append(sameCondition(c));
      sb.append(repeatNoise(c));
      meta.forEach((k, v) -> {
        if (k.startsWith("e5_edge_idle_cores_")) {
          sb.append("With no frames the edge's JVMs used ").append(v).append(" cores at ")
              .append(k.substring("e5_edge_idle_cores_".length())).append(" (measured; in the model). ");
        }
        if (k.startsWith("e5_server_idle_cores_")) {
          sb.append("The server's stage instances ").append(v).append(" cores at ")
              .append(k.substring("e5_server_idle_cores_".length())).append(". ");
        }
      });
      return sb.toString();
    }

    /**
     * The same question where the camera is on the edge (SSSS is no option, the producer stays):
     * which of ESSS..EEEE is best, within the spread, and does the planner, or fewest bytes
     * (EEEE), pick one of those.
     */
    static String cameraOnEdge(Csv c) {
      Map<String, List<Map<String, String>>> scenarios = new LinkedHashMap<>();
      for (Map<String, String> r : c.rows()) {
        if (!str(r, PointColumn.PLACEMENT).equals(GridExperiment.ALL_SERVER)) {
          scenarios.computeIfAbsent(str(r, PointColumn.SIDE) + "|" + str(r, PointColumn.EDGE_CPU) + "|"
              + str(r, PointColumn.LINK), k -> new ArrayList<>()).add(r);
        }
      }
      int planner = 0;
      int fewest = 0;
      List<String> winners = new ArrayList<>();
      for (Map.Entry<String, List<Map<String, String>>> e : scenarios.entrySet()) {
        Map<String, String> top = e.getValue().stream()
            .max(java.util.Comparator.comparingDouble(r -> num(r, PointColumn.FPS))).orElseThrow();
        Map<String, String> predicted = e.getValue().stream()
            .max(java.util.Comparator.comparingDouble(r -> num(r, PointColumn.PRED_FPS))).orElseThrow();
        double floor = num(top, PointColumn.FPS_MIN);
        List<String> tied = e.getValue().stream().filter(r -> num(r, PointColumn.FPS_MAX) >= floor)
            .map(r -> str(r, PointColumn.PLACEMENT)).toList();
        if (tied.contains(str(predicted, PointColumn.PLACEMENT))) {
          planner++;
        }
        if (tied.contains("EEEE")) {
          fewest++;
        }
        String[] k = e.getKey().split("\\|");
        winners.add(k[0] + "x" + k[0] + " cpu " + k[1] + " " + k[2] + ": " + String.join("/", tied)
            + " (planner " + str(predicted, PointColumn.PLACEMENT) + ")");
      }
      return String.format(Locale.ROOT, "With the camera on the edge (the producer stays there; SSSS is no "
          + "option): the planner picks a placement that is measured best (within the spread) in %d of %d "
          + "scenarios, fewest bytes (EEEE) in %d%s; best per scenario: %s. ", planner, scenarios.size(), fewest,
          fewest >= planner ? " (the naive rule does as well as the planner here)" : "", String.join("; ", winners));
    }

    /**
     * The noise between runs of one condition: the all-edge chain never uses the link, so its
     * points over the grid's links at one size and quota measure the same thing. Per such group,
     * how far apart their medians are (largest / smallest), and how many points lie within the fps
     * aim of the group's median: what a model that knew that median exactly would get, the ceiling
     * for a model from calibration visits.
     */
    static String sameCondition(Csv c) {
      Map<String, List<Double>> groups = new LinkedHashMap<>();
      String allEdge = GridExperiment.EDGE_PLACEMENTS.get(GridExperiment.EDGE_PLACEMENTS.size() - 1);
      for (Map<String, String> r : c.where(r -> str(r, PointColumn.PLACEMENT).equals(allEdge))) {
        if (num(r, PointColumn.FPS) > 0) {
          groups.computeIfAbsent(str(r, PointColumn.SIDE) + "x" + str(r, PointColumn.SIDE) + " cpu "
              + str(r, PointColumn.EDGE_CPU), k -> new ArrayList<>()).add(num(r, PointColumn.FPS));
        }
      }
      int points = 0;
      int within = 0;
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, List<Double>> e : groups.entrySet()) {
        List<Double> v = e.getValue().stream().sorted().toList();
        if (v.size() < 2) {
          continue;
        }
        double median = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
        points += v.size();
        within += (int) v.stream().filter(x -> Math.abs(x / median - 1) * 100 <= FPS_AIM_PCT).count();
        parts.add(String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), (v.get(v.size() - 1) / v.get(0) - 1) * 100));
      }
      if (parts.isEmpty()) {
        return "";
      }
      return String.format(Locale.ROOT, "Noise between runs of one condition: %s never uses the link, so its points "
          + "over the links at one size and quota measure the same thing; their medians lie apart by %s (largest "
          + "over smallest), and %d of %d lie within %.0f%% of their group's median (what a model that knew that "
          + "median would get). ", allEdge, String.join(", ", parts), within, points, FPS_AIM_PCT);
    }

    /**
     * The ceiling the repeats' own spread puts on the fps aim: each point's repeats (three: their
     * min, median and max are all of them) taken as a sample of a normal distribution (their mean
     * and standard deviation), the chance that the median of that many repeats lies within the aim
     * of the mean, summed over the points. A model that knew every point's true rate would get
     * about this many points within the aim; the median of three normal draws has the CDF
     * 3F^2 - 2F^3.
     */
    static double repeatCeiling(Csv c) {
      double sum = 0;
      for (Map<String, String> r : c.rows()) {
        double[] v = {num(r, PointColumn.FPS_MIN), num(r, PointColumn.FPS), num(r, PointColumn.FPS_MAX)};
        if (!(v[0] > 0) || !Double.isFinite(v[2])) {
          continue;
        }
        double mean = (v[0] + v[1] + v[2]) / 3;
        double var = 0;
        for (double x : v) {
          var += (x - mean) * (x - mean) / 2;
        }
        double sd = Math.sqrt(var);
        // |mean - median| <= aim x median: the median between mean / (1 + aim) and mean / (1 - aim)
        double aim = FPS_AIM_PCT / 100;
        sum += sd == 0 ? 1 : medianOfThreeCdf((mean / (1 - aim) - mean) / sd) - medianOfThreeCdf((mean / (1 + aim) - mean) / sd);
      }
      return sum;
    }

    /** CDF of the median of three standard normal draws. */
    static double medianOfThreeCdf(double z) {
      double f = normalCdf(z);
      return 3 * f * f - 2 * f * f * f;
    }

    /** Standard normal CDF (Abramowitz and Stegun 7.1.26 for erf, error below 1.5e-7). */
    static double normalCdf(double z) {
      double x = Math.abs(z) / Math.sqrt(2);
      double t = 1 / (1 + 0.3275911 * x);
      double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
          + t * 1.061405429)))) * Math.exp(-x * x);
      return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }

    /** The repeats' ceiling as a sentence (empty without points). */
    static String repeatNoise(Csv c) {
      if (c.rows().isEmpty()) {
        return "";
      }
      long wide = c.rows().stream().filter(r -> num(r, PointColumn.FPS) > 0
          && (num(r, PointColumn.FPS_MAX) - num(r, PointColumn.FPS_MIN)) / num(r, PointColumn.FPS) > 2 * FPS_AIM_PCT / 100)
          .count();
      return String.format(Locale.ROOT, "Noise of the repeats: taking each point's repeats as a normal sample, a "
          + "model that knew every point's true rate would find the measured median within %.0f%% in about %.0f of %d "
          + "points; in %d points the repeats lie more than %.0f%% of the median apart. ", FPS_AIM_PCT,
          repeatCeiling(c), c.rows().size(), wide, 2 * FPS_AIM_PCT);
    }

    /** {points within aim, points with an error} of one error column. */
    static int[] within(Csv c, PointColumn column, double aimPct) {
      int n = 0;
      int ok = 0;
      for (Map<String, String> r : c.rows()) {
        double e = c.header().contains(column.header()) ? num(r, column) : Double.NaN;
        if (Double.isFinite(e)) {
          n++;
          ok += Math.abs(e) <= aimPct ? 1 : 0;
        }
      }
      return new int[] {ok, n};
    }

    static double medianAbs(Csv c, PointColumn column) {
      if (!c.header().contains(column.header())) {
        return Double.NaN;
      }
      double[] v = c.rows().stream().mapToDouble(r -> Math.abs(num(r, column))).filter(Double::isFinite).sorted()
          .toArray();
      return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    private static int count(Csv c, BestColumn column) {
      return (int) c.rows().stream().filter(r -> Csv.yes(str(r, column))).count();
    }

    private static double pct(int k, int n) {
      return n == 0 ? 0 : 100.0 * k / n;
    }
  }
}
