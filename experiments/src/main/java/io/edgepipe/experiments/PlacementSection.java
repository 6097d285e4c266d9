package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.PlacementExperiment.PlacementColumn.*;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.table;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.style.Styler;

/**
 * E4's report section: latency and fps per placement on the edge/server testbed, per link, from
 * {@link PlacementExperiment#E4_CSV}; when E4 was skipped it says why (from {@code meta.csv}).
 */
final class PlacementSection implements ReportSection {
  /** A chart per link and metric: the column it shows, its axis title, and its name in titles and files. */
  private record Metric(PlacementExperiment.PlacementColumn column, String axis, String name) {}

  private static final List<Metric> METRICS = List.of(
      new Metric(LAT_P50_MS, "latency ms (median, frames paced apart)", "latency"),
      new Metric(FPS, "fps (as fast as it goes)", "fps"));

  @Override
  public String id() {
    return "E4";
  }

  @Override
  public String render(ReportContext report) {
    Map<String, String> meta = report.meta();
    StringBuilder sb = new StringBuilder("## E4 — placements on the edge/server testbed\n\n");
    Optional<Csv> csv = report.csv(PlacementExperiment.E4_CSV);
    if (!"measured".equals(meta.get("e4_status")) || csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append("**Skipped**: ").append(meta.getOrDefault("e4_reason", "no measurements in "
          + PlacementExperiment.E4_CSV)).append(". E5 below still gives the planner's predictions for every placement.\n")
          .toString();
    }
    Csv c = csv.get();
    if (meta.containsKey("e4_method")) {
      sb.append("Method: ").append(meta.get("e4_method")).append(".\n\n");
    }
    for (String bw : c.distinct(BANDWIDTH)) {
      List<Map<String, String>> rows = c.where(r -> str(r, BANDWIDTH).equals(bw));
      List<String> sizes = rows.stream().map(r -> str(r, SIZE)).distinct().toList();
      List<String> placements = rows.stream().map(r -> str(r, PLACEMENT)).distinct().toList();
      for (Metric metric : METRICS) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String p : placements) {
          List<Double> ys = new ArrayList<>();
          for (String size : sizes) {
            ys.add(rows.stream().filter(r -> str(r, PLACEMENT).equals(p) && str(r, SIZE).equals(size))
                .mapToDouble(r -> num(r, metric.column())).findFirst().orElse(Double.NaN));
          }
          series.put(p, ys);
        }
        CategoryChart chart = Charts.bars("E4: " + metric.name() + " per placement, link " + bw + " (log; one run each: no spread)", "frame size", metric.axis(),
            sizes, series, false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        Charts.logY(chart); // values span decades (fps 3 to 2600, latency 1 to 450 ms)
        sb.append(report.image(chart, "e4_" + metric.name() + "_" + bw + ".png", "E4 " + metric.name() + " " + bw));
      }
      sb.append(reading(read(c, bw)));
    }
    sb.append(table(c, BANDWIDTH, SIZE, PLACEMENT, FRAMES, DELIVERED, FPS, LAT_MEAN_MS, LAT_P50_MS,
        LAT_P95_MS, LOST));
    return sb.toString();
  }

  static String read(Csv c, String bw) {
    List<Map<String, String>> rows = c.where(r -> str(r, BANDWIDTH).equals(bw));
    StringBuilder sb = new StringBuilder("At " + bw + ": ");
    List<String> parts = new ArrayList<>();
    List<String> eeesVsEeee = new ArrayList<>();
    for (String size : rows.stream().map(r -> str(r, SIZE)).distinct().toList()) {
      List<Map<String, String>> s = rows.stream().filter(r -> str(r, SIZE).equals(size)).toList();
      Map<String, String> fastest = s.stream().max(Comparator.comparingDouble(r -> num(r, FPS))).orElseThrow();
      Map<String, String> quickest = s.stream().min(Comparator.comparingDouble(r -> num(r, LAT_P50_MS))).orElseThrow();
      parts.add(String.format(Locale.ROOT, "%s most fps %s (%s), least median latency %s (%s ms)", size,
          str(fastest, PLACEMENT), f(num(fastest, FPS)), str(quickest, PLACEMENT),
          f(num(quickest, LAT_P50_MS))));
      double eees = s.stream().filter(r -> str(r, PLACEMENT).equals("EEES")).mapToDouble(r -> num(r, LAT_P50_MS))
          .findFirst().orElse(Double.NaN);
      double eeee = s.stream().filter(r -> str(r, PLACEMENT).equals("EEEE")).mapToDouble(r -> num(r, LAT_P50_MS))
          .findFirst().orElse(Double.NaN);
      if (!Double.isNaN(eees) && !Double.isNaN(eeee)) {
        eeesVsEeee.add(String.format(Locale.ROOT, "%s %+.0f%%", size, 100 * (eees / eeee - 1)));
      }
    }
    sb.append(String.join("; ", parts)).append(". ");
    if (!eeesVsEeee.isEmpty()) {
      sb.append("EEES latency vs EEEE: ").append(String.join(", ", eeesVsEeee))
          .append(" (thesis: EEES and EEEE about the same at every size, since the edge-server hop cost little more "
              + "than an edge-edge one).");
    }
    return sb.toString();
  }
}
