package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.FlowCapacityExperiment.Column.*;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.missing;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.table;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * E6's report section: delivered fps and p95 latency against the number of concurrent flows,
 * from {@link FlowCapacityExperiment#CSV}, and the flow capacity read off it.
 */
final class FlowCapacitySection implements ReportSection {
  @Override
  public String id() {
    return "E6";
  }

  @Override
  public String render(ReportContext report) {
    Map<String, String> meta = report.meta();
    StringBuilder sb = new StringBuilder("## E6 — flow capacity (cameras at " + meta.getOrDefault("e6_fps_per_flow", "30")
        + " fps)\n\n");
    Optional<Csv> csv = report.csv(FlowCapacityExperiment.CSV);
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(FlowCapacityExperiment.CSV)).toString();
    }
    Csv c = csv.get();
    double[] flows = c.rows().stream().mapToDouble(r -> num(r, FLOWS)).toArray();
    Map<String, double[][]> series = new LinkedHashMap<>();
    series.put("delivered fps", new double[][] {flows, c.rows().stream().mapToDouble(r -> num(r, DELIVERED_FPS)).toArray()});
    series.put("offered fps", new double[][] {flows, c.rows().stream().mapToDouble(r -> num(r, OFFERED_FPS)).toArray()});
    XYChart chart = Charts.lines("E6: delivered fps vs flows", "concurrent flows", "fps (all flows)", series, false,
        false);
    chart.getStyler().setYAxisMin(0.0);
    // latency and its deadline on a chart of their own: on a second axis of the fps chart the
    // deadline line seemed to cross the fps curve, which means nothing
    Map<String, double[][]> lat = new LinkedHashMap<>();
    lat.put("p50 latency ms", new double[][] {flows, c.rows().stream().mapToDouble(r -> num(r, LAT_P50_MS)).toArray()});
    lat.put("p95 latency ms", new double[][] {flows, c.rows().stream().mapToDouble(r -> num(r, LAT_P95_MS)).toArray()});
    XYChart latency = Charts.lines("E6: latency vs flows (one run per count: no repeats, so no spread)",
        "concurrent flows", "latency ms", lat, false, false);
    double deadline = Optional.ofNullable(meta.get("e6_deadline_ms")).map(Double::parseDouble).orElse(100.0);
    if (flows.length > 0) {
      Charts.referenceLine(latency, "deadline " + f(deadline) + " ms", flows[0], flows[flows.length - 1], deadline,
          Color.RED, 0);
    }
    latency.getStyler().setYAxisMin(0.0);
    sb.append(report.image(chart, "e6_flows.png", "E6 flows")).append(report.image(latency, "e6_latency.png",
        "E6 latency")).append(reading(read(c, meta)))
        .append(table(c, FLOWS, OFFERED_FPS, DELIVERED_FPS, FRAMES, DELIVERED, DROPPED, LATE, LATE_PCT,
            LAT_P50_MS, LAT_P95_MS, LAT_P99_MS, CARRIED, ATTEMPTS));
    return sb.toString();
  }

  /** Largest flow count carried, with every smaller count carried too (rows in ascending order). */
  static int capacity(Csv c) {
    int capacity = 0;
    for (Map<String, String> r : c.rows()) {
      if (!Csv.yes(str(r, CARRIED))) {
        break;
      }
      capacity = (int) num(r, FLOWS);
    }
    return capacity;
  }

  static String read(Csv c, Map<String, String> meta) {
    int capacity = capacity(c);
    String size = meta.getOrDefault("e6_size", "?");
    String fps = meta.getOrDefault("e6_fps_per_flow", "30");
    String deadline = meta.getOrDefault("e6_deadline_ms", "100");
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Flow capacity: %d flow(s) of %s at %s fps, %s (a count is carried when nothing is dropped, at least 95%% "
            + "of the offered rate arrives and at most %s%% of frames are later than %s ms from capture). ",
        capacity, size, fps, meta.getOrDefault("e6_where", "this machine"),
        meta.getOrDefault("e6_late_tolerance_pct", "1"), deadline));
    c.rows().stream().filter(r -> !Csv.yes(str(r, CARRIED))).findFirst().ifPresent(r -> {
      List<String> why = new ArrayList<>();
      if (num(r, DROPPED) > 0) {
        why.add((long) num(r, DROPPED) + " frames dropped");
      }
      if (num(r, DELIVERED_FPS) < FlowCapacityExperiment.MIN_RATE * num(r, OFFERED_FPS)) {
        why.add("only " + f(num(r, DELIVERED_FPS)) + " of " + f(num(r, OFFERED_FPS)) + " fps delivered");
      }
      if (num(r, LATE_PCT) > Double.parseDouble(meta.getOrDefault("e6_late_tolerance_pct", "1"))) {
        why.add(f(num(r, LATE_PCT)) + "% late");
      } else if (Double.isNaN(num(r, LATE_PCT)) && num(r, LAT_P95_MS) > Double.parseDouble(deadline)) {
        why.add("p95 " + f(num(r, LAT_P95_MS)) + " ms"); // the same words as the parenthesis below, which it replaces
      }
      String p95 = "p95 " + f(num(r, LAT_P95_MS)) + " ms";
      sb.append(String.format(Locale.ROOT, "At %d flows it breaks%s: %s%s. ", (int) num(r, FLOWS),
          num(r, ATTEMPTS) > 1 ? " (in both attempts)" : "", why.isEmpty() ? "not carried" : String.join(", ", why),
          why.contains(p95) ? "" : " (" + p95 + ")"));
    });
    if (c.rows().stream().allMatch(r -> Csv.yes(str(r, CARRIED)))) {
      sb.append("Every count tried was carried, so the capacity is at least the largest tried. ");
    }
    sb.append("The dual-plane work defines flow capacity FN the same way, as the flows a cluster carries steadily; "
        + "it reports about 70 flows per GbE data-plane NIC before messages are lost with no computing, and about 40 "
        + "when each message is also computed on a GPU node. "
        + (meta.getOrDefault("e6_where", "").contains("testbed")
            ? "Here the frames cross the testbed's shaped link, and every frame is computed and serialized on CPU "
                + "cores the services share (the edge's half core among them): the first of the two to saturate sets "
                + "the capacity"
            : "Here no NIC is in the way when the chain runs embedded (loopback), and every frame is computed and "
                + "serialized on CPU cores that all services share, so the CPU sets the capacity")
        + ", and whatever else runs on the machine lowers it (load average at the start: "
        + meta.getOrDefault("loadavg_start", "?") + ").");
    return sb.toString();
  }
}
