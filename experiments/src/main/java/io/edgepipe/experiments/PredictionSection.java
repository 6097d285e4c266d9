package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.PlacementExperiment.PredictionColumn.*;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.missing;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.table;

import io.edgepipe.experiments.PlacementExperiment.BestColumn;
import io.edgepipe.experiments.PlacementExperiment.PredictionColumn;
import io.edgepipe.experiments.PlacementExperiment.ServiceCpuColumn;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * E5's report section: the planner's predictions per placement ({@link PlacementExperiment#E5_CSV})
 * against E4's measurements where there are any, the best placement per case
 * ({@link PlacementExperiment#E5_BEST_CSV}) and the service CPU the profile was built from
 * ({@link PlacementExperiment#E5_SERVICE_CPU_CSV}).
 */
final class PredictionSection implements ReportSection {
  /** A predicted-vs-measured chart: the two columns, its name in titles, and its file. */
  private record Check(PredictionColumn predicted, PredictionColumn measured, String label, String file) {}

  private static final List<Check> CHECKS = List.of(new Check(PRED_FPS, MEAS_FPS, "fps", "e5_fps.png"),
      new Check(PRED_LATENCY_MS, MEAS_LATENCY_MS, "latency ms", "e5_latency.png"));

  @Override
  public String id() {
    return "E5";
  }

  @Override
  public String render(ReportContext report) {
    Map<String, String> meta = report.meta();
    StringBuilder sb = new StringBuilder("## E5 — planner predictions vs measurements\n\n");
    Optional<Csv> csv = report.csv(PlacementExperiment.E5_CSV);
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(PlacementExperiment.E5_CSV)).toString();
    }
    Csv c = csv.get();
    Csv best = report.csv(PlacementExperiment.E5_BEST_CSV).orElse(new Csv(List.of(), List.of()));
    boolean measured = c.rows().stream().anyMatch(r -> !Double.isNaN(num(r, MEAS_FPS)));
    if (meta.containsKey("e5_profile")) {
      sb.append("Profile: ").append(meta.get("e5_profile")).append(".\n\n");
    }
    if (measured) {
      for (Check m : CHECKS) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (String bw : c.distinct(BANDWIDTH)) {
          List<Map<String, String>> rows = c.where(r -> str(r, BANDWIDTH).equals(bw));
          double[][] xy = new double[2][rows.size()];
          for (int i = 0; i < rows.size(); i++) {
            xy[0][i] = num(rows.get(i), m.measured());
            xy[1][i] = num(rows.get(i), m.predicted());
            if (xy[0][i] > 0 && xy[1][i] > 0) {
              lo = Math.min(lo, Math.min(xy[0][i], xy[1][i]));
              hi = Math.max(hi, Math.max(xy[0][i], xy[1][i]));
            }
          }
          series.put(bw, xy);
        }
        XYChart chart = Charts.lines("E5: predicted vs measured " + m.label() + " (log-log; one run each: no spread)", "measured " + m.label(),
            "predicted " + m.label(),
            series, true, true); // log-log: the values span decades
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        if (hi > 0) {
          XYChart withLine = chart;
          var s = withLine.addSeries("prediction = measurement", new double[] {lo, hi}, new double[] {lo, hi});
          s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
          s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
          s.setLineColor(Color.GRAY);
        }
        sb.append(report.image(chart, m.file(), "E5 " + m.label()));
      }
    } else {
      for (String bw : c.distinct(BANDWIDTH)) {
        List<Map<String, String>> rows = c.where(r -> str(r, BANDWIDTH).equals(bw));
        List<String> sizes = rows.stream().map(r -> str(r, SIZE)).distinct().toList();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String p : rows.stream().map(r -> str(r, PLACEMENT)).distinct().toList()) {
          List<Double> ys = new ArrayList<>();
          for (String size : sizes) {
            ys.add(rows.stream().filter(r -> str(r, PLACEMENT).equals(p) && str(r, SIZE).equals(size))
                .mapToDouble(r -> num(r, PRED_FPS)).findFirst().orElse(Double.NaN));
          }
          series.put(p, ys);
        }
        CategoryChart chart = Charts.bars("E5: predicted fps per placement, link " + bw, "frame size",
            "predicted fps (log)", sizes, series, false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        Charts.logY(chart);
        sb.append(report.image(chart, "e5_pred_fps_" + bw + ".png", "E5 predicted fps " + bw));
      }
    }
    sb.append(reading(read(c, best, meta)));
    sb.append(table(c, BANDWIDTH, SIZE, PLACEMENT, PRED_LATENCY_MS, PRED_FPS, PRED_BOTTLENECK,
        MEAS_LATENCY_MS, MEAS_FPS, LATENCY_ERR_PCT, FPS_ERR_PCT));
    if (!best.isEmpty()) {
      sb.append("\nBest placement per case:\n\n").append(table(best, BestColumn.BANDWIDTH, BestColumn.SIZE,
          BestColumn.OBJECTIVE, BestColumn.PREDICTED_BEST, BestColumn.MEASURED_BEST, BestColumn.MATCH));
    }
    Optional<Csv> cpu = report.csv(PlacementExperiment.E5_SERVICE_CPU_CSV);
    if (cpu.isPresent() && !cpu.get().isEmpty()) {
      sb.append("\nService CPU the profile was built from (all of the chain on one node; cores = background + fps x "
          + "ms per frame, from the throughput and the paced phase):\n\n").append(table(cpu.get(), ServiceCpuColumn.SIZE,
          ServiceCpuColumn.TIER, ServiceCpuColumn.SERVICE, ServiceCpuColumn.MAIN_FPS, ServiceCpuColumn.MAIN_CORES,
          ServiceCpuColumn.PACED_FPS, ServiceCpuColumn.PACED_CORES, ServiceCpuColumn.CPU_MS_PER_FRAME,
          ServiceCpuColumn.BACKGROUND_CORES));
    }
    return sb.toString();
  }

  /** The aim for the planner's throughput prediction. */
  static final double AIM_FPS_ERR_PCT = 15;

  static String read(Csv c, Csv best, Map<String, String> meta) {
    boolean measured = c.rows().stream().anyMatch(r -> !Double.isNaN(num(r, MEAS_FPS)));
    StringBuilder sb = new StringBuilder();
    if (!measured) {
      sb.append("Predictions only: nothing was measured to check them against (E4 skipped");
      if (meta.containsKey("e4_reason")) {
        sb.append(": ").append(meta.get("e4_reason"));
      }
      sb.append("). ");
      List<String> picks = best.where(r -> str(r, BestColumn.OBJECTIVE).equals("throughput")).stream()
          .map(r -> str(r, BestColumn.BANDWIDTH) + " " + str(r, BestColumn.SIZE) + " -> "
              + str(r, BestColumn.PREDICTED_BEST)).toList();
      if (!picks.isEmpty()) {
        sb.append("Predicted best for throughput: ").append(String.join(", ", picks)).append(". ");
      }
      sb.append("The edge compute in this profile is an estimate (this machine's, divided by the edge CPU cap), so "
          + "these predictions show the model's shape, not a validated plan.");
      return sb.toString();
    }
    double latErr = c.rows().stream().mapToDouble(r -> Math.abs(num(r, LATENCY_ERR_PCT))).filter(Double::isFinite)
        .average().orElse(Double.NaN);
    double fpsErr = c.rows().stream().mapToDouble(r -> Math.abs(num(r, FPS_ERR_PCT))).filter(Double::isFinite)
        .average().orElse(Double.NaN);
    Map<String, String> worst = c.rows().stream().filter(r -> Double.isFinite(num(r, FPS_ERR_PCT)))
        .max(Comparator.comparingDouble(r -> Math.abs(num(r, FPS_ERR_PCT)))).orElse(null);
    long fpsRows = c.rows().stream().filter(r -> Double.isFinite(num(r, FPS_ERR_PCT))).count();
    long within = c.rows().stream().filter(r -> Math.abs(num(r, FPS_ERR_PCT)) <= AIM_FPS_ERR_PCT).count();
    sb.append(String.format(Locale.ROOT, "Throughput predicted within %.0f%% (the aim) in %d of %d cases. ",
        AIM_FPS_ERR_PCT, within, fpsRows));
    sb.append(String.format(Locale.ROOT, "Mean absolute error: latency %s%%, throughput %s%%", f(latErr), f(fpsErr)));
    if (worst != null) {
      sb.append(String.format(Locale.ROOT, " (worst fps: %s at %s, %s: predicted %s, measured %s)",
          str(worst, PLACEMENT), str(worst, SIZE), str(worst, BANDWIDTH), f(num(worst, PRED_FPS)),
          f(num(worst, MEAS_FPS))));
    }
    sb.append(". ");
    for (String objective : List.of("throughput", "latency")) {
      List<Map<String, String>> rows = best.where(r -> str(r, BestColumn.OBJECTIVE).equals(objective));
      long hits = rows.stream().filter(r -> Csv.yes(str(r, BestColumn.MATCH))).count();
      if (!rows.isEmpty()) {
        sb.append(String.format(Locale.ROOT, "The predicted best placement for %s is the measured best in %d of %d "
            + "cases. ", objective, hits, rows.size()));
      }
    }
    return sb.toString().trim();
  }
}
