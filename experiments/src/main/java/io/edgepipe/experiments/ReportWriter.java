package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Turns an experiments folder's CSV files into {@code report.md} and PNG charts: each experiment
 * gets its chart, a reading under it (what the numbers say, against the thesis's figures where
 * it has them), and its table. It reads only the CSV files, so a report can be rebuilt from a
 * kept run ({@code pipeline bench experiments --report-only DIR}). Missing files are reported
 * as missing; a skipped experiment says why (from {@code meta.csv}).
 *
 * <p>Files it reads: {@code meta.csv} (key,value), {@code e1_latency.csv}, {@code e2_ccr.csv},
 * {@code e3_throughput.csv}, {@code e4_placements.csv}, {@code e5_predictions.csv},
 * {@code e5_best.csv}, {@code e6_flows.csv} (columns as the experiments write them).
 */
public final class ReportWriter {
  public static final String REPORT = "report.md";
  /** Thesis: CCR drops below 1 at 512x512 and is far below 0.5 at 1024x1024 (figures 4.4, 4.7). */
  static final int THESIS_CCR_BELOW_ONE_SIDE = 512;

  private final Path dir;
  private final List<Path> written = new ArrayList<>();

  public ReportWriter(Path dir) {
    this.dir = dir;
  }

  /** Writes the charts and report.md; returns every file written, report last. */
  public List<Path> write() {
    Map<String, String> meta = Csv.readIfPresent(dir.resolve("meta.csv")).map(Csv::asMap).orElse(Map.of());
    StringBuilder md = new StringBuilder();
    md.append("# edgepipe experiments").append(meta.containsKey("date") ? " — " + meta.get("date") : "").append("\n\n");
    md.append(settings(meta)).append('\n');
    md.append(section("E1", this::e1)).append('\n');
    md.append(section("E2", this::e2)).append('\n');
    md.append(section("E3", () -> e3(meta))).append('\n');
    md.append(section("E4", () -> e4(meta))).append('\n');
    md.append(section("E5", () -> e5(meta))).append('\n');
    md.append(section("E6", () -> e6(meta)));
    Path report = dir.resolve(REPORT);
    try {
      Files.writeString(report, md.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + report, e);
    }
    written.add(report);
    return List.copyOf(written);
  }

  /** One experiment's section; a failure (bad CSV, chart error) becomes a line in the report, not a lost report. */
  private static String section(String id, java.util.function.Supplier<String> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return "## " + id + "\n\n_The report of " + id + " could not be written: " + e + "_\n";
    }
  }

  private static String settings(Map<String, String> meta) {
    if (meta.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("Settings of this run:\n\n| key | value |\n|---|---|\n");
    meta.forEach((k, v) -> {
      if (!k.startsWith("e3_wall_s_")) {
        sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
      }
    });
    return sb.toString();
  }

  // ---------------------------------------------------------------- E1

  private String e1() {
    StringBuilder sb = new StringBuilder("## E1 — latency per frame, monolith vs four microservices\n\n");
    Optional<Csv> csv = Csv.readIfPresent(dir.resolve(LatencyExperiment.E1_CSV));
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(LatencyExperiment.E1_CSV)).toString();
    }
    Csv c = csv.get();
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (String s : List.of("compute", "communication", "other")) {
      series.put(s, new ArrayList<>());
    }
    for (Map<String, String> r : c.rows()) {
      categories.add(str(r, "size") + (str(r, "mode").equals("monolith") ? " mono" : " micro"));
      series.get("compute").add(num(r, "compute_ms"));
      series.get("communication").add(num(r, "communication_ms"));
      series.get("other").add(num(r, "other_ms"));
    }
    if (series.get("other").stream().mapToDouble(d -> d.isNaN() ? 0 : d).max().orElse(0) < 0.05) {
      series.remove("other"); // latency is the sum of the phases: nothing else to show
    }
    CategoryChart chart = Charts.bars("E1: latency per frame (one frame in flight)", "frame size and mode",
        "ms per frame (mean)", categories, series, true);
    sb.append(image(chart, "e1_latency.png", "E1 latency per frame")).append(reading(readE1(c)))
        .append(table(c, "size", "mode", "frames", "latency_mean_ms", "latency_p50_ms", "latency_p95_ms", "compute_ms",
            "communication_ms", "other_ms"));
    return sb.toString();
  }

  static String readE1(Csv c) {
    List<Integer> sides = sides(c);
    if (sides.isEmpty()) {
      return "No rows.";
    }
    int lo = sides.get(0);
    int hi = sides.get(sides.size() - 1);
    Map<String, String> monoLo = row(c, lo, "monolith");
    Map<String, String> microLo = row(c, lo, "microservices");
    Map<String, String> monoHi = row(c, hi, "monolith");
    Map<String, String> microHi = row(c, hi, "microservices");
    if (monoLo == null || microLo == null || monoHi == null || microHi == null) {
      return "Monolith or microservice rows are missing; nothing to compare.";
    }
    double addLo = num(microLo, "latency_mean_ms") - num(monoLo, "latency_mean_ms");
    double addHi = num(microHi, "latency_mean_ms") - num(monoHi, "latency_mean_ms");
    double commLo = num(microLo, "communication_ms");
    double commHi = num(microHi, "communication_ms");
    double compLo = num(microLo, "compute_ms");
    double compHi = num(microHi, "compute_ms");
    double pixels = (double) hi * hi / ((double) lo * lo);
    double commGrowth = commHi / commLo;
    double compGrowth = compHi / compLo;
    double compDiff = 100 * (compHi / num(monoHi, "compute_ms") - 1);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "Four microservices add %s ms per frame to the monolith at %s (%.1fx its latency) and %s ms at %s (%.1fx). ",
        f(addLo), size(lo), num(microLo, "latency_mean_ms") / num(monoLo, "latency_mean_ms"), f(addHi), size(hi),
        num(microHi, "latency_mean_ms") / num(monoHi, "latency_mean_ms")));
    sb.append(String.format(Locale.ROOT,
        "The added time is communication (%s ms at %s, %s ms at %s, %.0f%% of the microservices' latency at %s); "
            + "compute is %s the monolith's (%+.0f%% at %s). ",
        f(commLo), size(lo), f(commHi), size(hi), 100 * commHi / num(microHi, "latency_mean_ms"), size(hi),
        Math.abs(compDiff) <= 15 ? "about" : compDiff > 0 ? "above" : "below", compDiff, size(hi)));
    sb.append(String.format(Locale.ROOT,
        "From %s to %s (%.0fx the pixels) communication grows %.1fx and compute %.1fx. ", size(lo), size(hi), pixels,
        commGrowth, compGrowth));
    boolean computeSame = Math.abs(compDiff) <= 15;
    boolean commSlower = commGrowth < compGrowth;
    sb.append("Thesis (fig. 4.3 server, 4.6 Xavier): microservices raise end-to-end latency, compute stays about the "
        + "same and communication adds the difference, and communication grows more slowly than compute with image "
        + "size. Here: latency rises, as there; ");
    sb.append(computeSame ? "compute stays about the same, as there; "
        : String.format(Locale.ROOT, "compute does not stay the same (%+.0f%%: each service computes on a core it "
            + "shares with the other services and the gRPC threads, and its input arrives fresh from the transport, "
            + "not warm in cache); ", compDiff));
    sb.append(commSlower ? "communication grows more slowly than compute, as there."
        : "communication grows at least as fast as compute, unlike there: every hop serializes, copies and parses the "
            + "whole frame (f32 after conv, 4 bytes a pixel) on the same cores that compute, so its cost scales with "
            + "the pixels too.");
    return sb.toString();
  }

  // ---------------------------------------------------------------- E2

  private String e2() {
    StringBuilder sb = new StringBuilder("## E2 — communication-to-computation ratio per image size\n\n");
    Optional<Csv> csv = Csv.readIfPresent(dir.resolve(LatencyExperiment.E2_CSV));
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(LatencyExperiment.E2_CSV)).toString();
    }
    Csv c = csv.get();
    List<String> sizes = c.distinct("size");
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (String stage : c.distinct("stage")) {
      List<Double> ys = new ArrayList<>();
      for (String size : sizes) {
        ys.add(c.rows().stream().filter(r -> str(r, "stage").equals(stage) && str(r, "size").equals(size))
            .mapToDouble(r -> num(r, "ccr")).findFirst().orElse(Double.NaN));
      }
      series.put(stage.equals("total") ? "all stages" : stage, ys);
    }
    series.put("CCR = 1", sizes.stream().map(x -> 1.0).toList());
    series.put("CCR = 0.5", sizes.stream().map(x -> 0.5).toList());
    CategoryChart chart = Charts.categoryLines("E2: CCR per stage (transfer of its output / its compute)",
        "frame size", "CCR (log scale)", sizes, series, true);
    sb.append(image(chart, "e2_ccr.png", "E2 CCR per stage")).append(reading(readE2(c)))
        .append(table(c, "size", "stage", "compute_ms", "transfer_ms", "ccr"));
    return sb.toString();
  }

  static String readE2(Csv c) {
    List<Map<String, String>> total = c.where(r -> str(r, "stage").equals("total"));
    if (total.isEmpty()) {
      return "No all-stage rows.";
    }
    StringBuilder sb = new StringBuilder("CCR of the whole chain (all transfers / all compute): ");
    sb.append(total.stream().map(r -> str(r, "size") + " " + f(num(r, "ccr"))).collect(Collectors.joining(", ")))
        .append(". ");
    Map<String, String> last = total.get(total.size() - 1);
    Optional<Map<String, String>> firstBelow = total.stream().filter(r -> num(r, "ccr") < 1).findFirst();
    boolean falling = num(last, "ccr") < num(total.get(0), "ccr");
    boolean monotone = true;
    for (int i = 1; i < total.size(); i++) {
      monotone &= num(total.get(i), "ccr") <= num(total.get(i - 1), "ccr");
    }
    sb.append(!falling ? "It does not fall as the frame grows"
        : monotone ? "It falls as the frame grows" : "It falls overall as the frame grows (not at every step)");
    if (firstBelow.isPresent()) {
      int side = (int) num(firstBelow.get(), "side");
      sb.append(String.format(Locale.ROOT, " and is below 1 from %s on (thesis: below 1 at 512x512, %s)",
          str(firstBelow.get(), "size"), side == THESIS_CCR_BELOW_ONE_SIDE ? "the same size"
              : side < THESIS_CCR_BELOW_ONE_SIDE ? "so ours crosses earlier" : "so ours crosses later"));
    } else {
      sb.append(" but stays above 1 at every size (thesis: below 1 at 512x512)");
    }
    double lastCcr = num(last, "ccr");
    sb.append(String.format(Locale.ROOT, "; at %s it is %s (thesis at 1024x1024: far below 0.5%s). ", str(last, "size"),
        f(lastCcr), lastCcr < 0.5 ? ", as here" : lastCcr < 1 ? "; ours is lower than 1 but not below 0.5"
            : "; ours is not"));
    String lastSize = str(last, "size");
    c.where(r -> str(r, "size").equals(lastSize) && !str(r, "stage").equals("total")
            && !str(r, "stage").equals("producer") && num(r, "ccr") > 0)
        .stream().max(Comparator.comparingDouble(r -> num(r, "ccr")))
        .ifPresent(r -> sb.append(String.format(Locale.ROOT,
            "The highest per-stage CCR at %s is %s's (%s: %s ms to move its output for %s ms of compute): "
                + "a stage with little arithmetic per byte is where a hop costs most. ",
            lastSize, str(r, "stage"), f(num(r, "ccr")), f(num(r, "transfer_ms")), f(num(r, "compute_ms")))));
    if (lastCcr >= 0.5) {
      sb.append("Why ours stays higher: these layers are cheap per byte (one 3x3 filter, a ReLU and a 2x2 max-pool on "
          + "one channel, a few operations per pixel), while every hop serializes, copies through loopback TCP and "
          + "parses 4 bytes a pixel after conv; the thesis's CCR fell because its compute grew much faster with "
          + "image size than its transfers did.");
    }
    return sb.toString().trim();
  }

  // ---------------------------------------------------------------- E3

  private String e3(Map<String, String> meta) {
    StringBuilder sb = new StringBuilder("## E3 — throughput, monolith vs 2-, 3- and 4-stage pipelines (1280x720)\n\n");
    Optional<Csv> csv = Csv.readIfPresent(dir.resolve(ThroughputExperiment.CSV));
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(ThroughputExperiment.CSV)).toString();
    }
    Csv c = csv.get();
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("measured fps", new ArrayList<>());
    series.put("CPU ceiling (cores x 1000 / CPU ms per frame)", new ArrayList<>());
    for (Map<String, String> r : c.rows()) {
      categories.add(str(r, "services").replace(" (one process)", "").replace(" | ", "|"));
      series.get("measured fps").add(num(r, "fps"));
      series.get("CPU ceiling (cores x 1000 / CPU ms per frame)").add(num(r, "cpu_bound_fps"));
    }
    CategoryChart chart = Charts.bars("E3: frames per second, 1280x720", "services (| = gRPC hop)", "fps", categories,
        series, false);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisLabelRotation(20);
    sb.append(image(chart, "e3_throughput.png", "E3 throughput")).append(reading(readE3(c, meta)))
        .append(table(c, "variant", "services", "frames", "fps", "change_vs_monolith_pct", "cpu_ms_per_frame",
            "cpu_bound_fps", "slowest_service", "slowest_service_ms", "lat_p50_ms", "thesis_server_pct",
            "thesis_edge_pct"));
    sb.append("\nThe 2- and 3-stage pipelines fuse consecutive layers into one service (one gRPC service computing "
        + "them in turn on its device, same runtime classes as a single-layer stage); the producer counts as a stage, "
        + "as in the thesis. `slowest_service_ms` is that service's process + send time per frame.\n");
    return sb.toString();
  }

  static String readE3(Csv c, Map<String, String> meta) {
    Map<String, String> mono = c.rows().stream().filter(r -> str(r, "variant").equals("monolith")).findFirst()
        .orElse(null);
    List<Map<String, String>> four = c.where(r -> str(r, "variant").equals("4-stage"));
    if (mono == null || four.isEmpty()) {
      return "Monolith or 4-stage row missing.";
    }
    Map<String, String> f4 = four.get(0);
    double monoFps = num(mono, "fps");
    double change4 = 100 * (num(f4, "fps") / monoFps - 1);
    Map<String, String> bestPipe = c.rows().stream().filter(r -> !str(r, "variant").equals("monolith"))
        .max(Comparator.comparingDouble(r -> num(r, "fps"))).orElse(f4);
    String cores = meta.getOrDefault("cores", "?");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "The monolith streams %s fps; the 4-stage pipeline %s fps (%+.1f%%), ",
        f(monoFps), f(num(f4, "fps")), change4));
    sb.append(String.format(Locale.ROOT, "the best pipeline here is %s (%s, %s fps, %+.1f%%). ", str(bestPipe, "variant"),
        str(bestPipe, "services"), f(num(bestPipe, "fps")), 100 * (num(bestPipe, "fps") / monoFps - 1)));
    double slowest = num(f4, "slowest_service_ms");
    if (slowest > 0) {
      sb.append(String.format(Locale.ROOT, "Its slowest service, %s, needs %s ms per frame (process + send), "
              + "which alone would allow %s fps; ", str(f4, "slowest_service"), f(slowest), f(1000 / slowest)));
    }
    sb.append(String.format(Locale.ROOT, "the thesis measured +%.2f%% on its server and +%.2f%% on the Xavier for four "
        + "microservices. ", ThroughputExperiment.THESIS_SERVER_PCT, ThroughputExperiment.THESIS_EDGE_PCT));
    double cpuMono = num(mono, "cpu_ms_per_frame");
    double cpu4 = num(f4, "cpu_ms_per_frame");
    sb.append(String.format(Locale.ROOT, "Why ours %s: this machine has %s cores, so at most %s services compute at "
            + "once however many stages the chain has, and every gRPC hop costs CPU the monolith does not spend "
            + "(protobuf serialization, a copy through loopback TCP, parsing before the next stage's clock starts): "
            + "the 4-stage pipeline burns %s ms of CPU per frame against the monolith's %s, which caps it at %s fps "
            + "even with perfect overlap, and the measured rate stays below that cap because the services' threads, "
            + "the event loops and whatever else runs on the machine%s take turns on those cores. "
            + "A pipeline gains only when its stages run on cores (or devices) of their own, as on the thesis's x86 "
            + "server and Jetson AGX Xavier (8 CPU cores, CUDA in its images), and when a frame's hop costs less than "
            + "the compute it lets overlap.",
        change4 < ThroughputExperiment.THESIS_SERVER_PCT ? "differs" : "agrees", cores, cores, f(cpu4), f(cpuMono),
        f(num(f4, "cpu_bound_fps")), meta.containsKey("loadavg_start") ? " (load average at the start: "
            + meta.get("loadavg_start") + ")" : ""));
    return sb.toString();
  }

  // ---------------------------------------------------------------- E4

  private String e4(Map<String, String> meta) {
    StringBuilder sb = new StringBuilder("## E4 — placements on the edge/server testbed\n\n");
    Optional<Csv> csv = Csv.readIfPresent(dir.resolve(PlacementExperiment.E4_CSV));
    if (!"measured".equals(meta.get("e4_status")) || csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append("**Skipped**: ").append(meta.getOrDefault("e4_reason", "no measurements in "
          + PlacementExperiment.E4_CSV)).append(". E5 below still gives the planner's predictions for every placement.\n")
          .toString();
    }
    Csv c = csv.get();
    if (meta.containsKey("e4_method")) {
      sb.append("Method: ").append(meta.get("e4_method")).append(".\n\n");
    }
    for (String bw : c.distinct("bandwidth")) {
      List<Map<String, String>> rows = c.where(r -> str(r, "bandwidth").equals(bw));
      List<String> sizes = rows.stream().map(r -> str(r, "size")).distinct().toList();
      List<String> placements = rows.stream().map(r -> str(r, "placement")).distinct().toList();
      for (String[] metric : new String[][] {{"lat_p50_ms", "latency ms (median, frames paced apart)", "latency"},
          {"fps", "fps (as fast as it goes)", "fps"}}) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String p : placements) {
          List<Double> ys = new ArrayList<>();
          for (String size : sizes) {
            ys.add(rows.stream().filter(r -> str(r, "placement").equals(p) && str(r, "size").equals(size))
                .mapToDouble(r -> num(r, metric[0])).findFirst().orElse(Double.NaN));
          }
          series.put(p, ys);
        }
        CategoryChart chart = Charts.bars("E4: " + metric[2] + " per placement, link " + bw, "frame size", metric[1],
            sizes, series, false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        if (metric[2].equals("latency")) {
          Charts.logY(chart);
        }
        sb.append(image(chart, "e4_" + metric[2] + "_" + bw + ".png", "E4 " + metric[2] + " " + bw));
      }
      sb.append(reading(readE4(c, bw)));
    }
    sb.append(table(c, "bandwidth", "size", "placement", "frames", "delivered", "fps", "lat_mean_ms", "lat_p50_ms",
        "lat_p95_ms", "lost"));
    return sb.toString();
  }

  static String readE4(Csv c, String bw) {
    List<Map<String, String>> rows = c.where(r -> str(r, "bandwidth").equals(bw));
    StringBuilder sb = new StringBuilder("At " + bw + ": ");
    List<String> parts = new ArrayList<>();
    List<String> eeesVsEeee = new ArrayList<>();
    for (String size : rows.stream().map(r -> str(r, "size")).distinct().toList()) {
      List<Map<String, String>> s = rows.stream().filter(r -> str(r, "size").equals(size)).toList();
      Map<String, String> fastest = s.stream().max(Comparator.comparingDouble(r -> num(r, "fps"))).orElseThrow();
      Map<String, String> quickest = s.stream().min(Comparator.comparingDouble(r -> num(r, "lat_p50_ms"))).orElseThrow();
      parts.add(String.format(Locale.ROOT, "%s most fps %s (%s), least median latency %s (%s ms)", size,
          str(fastest, "placement"), f(num(fastest, "fps")), str(quickest, "placement"),
          f(num(quickest, "lat_p50_ms"))));
      double eees = s.stream().filter(r -> str(r, "placement").equals("EEES")).mapToDouble(r -> num(r, "lat_p50_ms"))
          .findFirst().orElse(Double.NaN);
      double eeee = s.stream().filter(r -> str(r, "placement").equals("EEEE")).mapToDouble(r -> num(r, "lat_p50_ms"))
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

  // ---------------------------------------------------------------- E5

  private String e5(Map<String, String> meta) {
    StringBuilder sb = new StringBuilder("## E5 — planner predictions vs measurements\n\n");
    Optional<Csv> csv = Csv.readIfPresent(dir.resolve(PlacementExperiment.E5_CSV));
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(PlacementExperiment.E5_CSV)).toString();
    }
    Csv c = csv.get();
    Csv best = Csv.readIfPresent(dir.resolve(PlacementExperiment.E5_BEST_CSV)).orElse(new Csv(List.of(), List.of()));
    boolean measured = c.rows().stream().anyMatch(r -> !Double.isNaN(num(r, "meas_fps")));
    if (meta.containsKey("e5_profile")) {
      sb.append("Profile: ").append(meta.get("e5_profile")).append(".\n\n");
    }
    if (measured) {
      for (String[] m : new String[][] {{"pred_fps", "meas_fps", "fps"}, {"pred_latency_ms", "meas_latency_ms", "latency ms"}}) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (String bw : c.distinct("bandwidth")) {
          List<Map<String, String>> rows = c.where(r -> str(r, "bandwidth").equals(bw));
          double[][] xy = new double[2][rows.size()];
          for (int i = 0; i < rows.size(); i++) {
            xy[0][i] = num(rows.get(i), m[1]);
            xy[1][i] = num(rows.get(i), m[0]);
            if (xy[0][i] > 0 && xy[1][i] > 0) {
              lo = Math.min(lo, Math.min(xy[0][i], xy[1][i]));
              hi = Math.max(hi, Math.max(xy[0][i], xy[1][i]));
            }
          }
          series.put(bw, xy);
        }
        XYChart chart = Charts.lines("E5: predicted vs measured " + m[2], "measured " + m[2], "predicted " + m[2],
            series, false, false);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        if (hi > 0) {
          XYChart withLine = chart;
          var s = withLine.addSeries("prediction = measurement", new double[] {0, hi}, new double[] {0, hi});
          s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
          s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
          s.setLineColor(Color.GRAY);
        }
        sb.append(image(chart, "e5_" + (m[2].startsWith("fps") ? "fps" : "latency") + ".png", "E5 " + m[2]));
      }
    } else {
      for (String bw : c.distinct("bandwidth")) {
        List<Map<String, String>> rows = c.where(r -> str(r, "bandwidth").equals(bw));
        List<String> sizes = rows.stream().map(r -> str(r, "size")).distinct().toList();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String p : rows.stream().map(r -> str(r, "placement")).distinct().toList()) {
          List<Double> ys = new ArrayList<>();
          for (String size : sizes) {
            ys.add(rows.stream().filter(r -> str(r, "placement").equals(p) && str(r, "size").equals(size))
                .mapToDouble(r -> num(r, "pred_fps")).findFirst().orElse(Double.NaN));
          }
          series.put(p, ys);
        }
        CategoryChart chart = Charts.bars("E5: predicted fps per placement, link " + bw, "frame size",
            "predicted fps (log)", sizes, series, false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        Charts.logY(chart);
        sb.append(image(chart, "e5_pred_fps_" + bw + ".png", "E5 predicted fps " + bw));
      }
    }
    sb.append(reading(readE5(c, best, meta)));
    sb.append(table(c, "bandwidth", "size", "placement", "pred_latency_ms", "pred_fps", "pred_bottleneck",
        "meas_latency_ms", "meas_fps", "latency_err_pct", "fps_err_pct"));
    if (!best.isEmpty()) {
      sb.append("\nBest placement per case:\n\n").append(table(best, "bandwidth", "size", "objective", "predicted_best",
          "measured_best", "match"));
    }
    Optional<Csv> cpu = Csv.readIfPresent(dir.resolve(PlacementExperiment.E5_SERVICE_CPU_CSV));
    if (cpu.isPresent() && !cpu.get().isEmpty()) {
      sb.append("\nService CPU the profile was built from (all of the chain on one node; cores = background + fps x "
          + "ms per frame, from the throughput and the paced phase):\n\n").append(table(cpu.get(), "size", "tier",
          "service", "main_fps", "main_cores", "paced_fps", "paced_cores", "cpu_ms_per_frame", "background_cores"));
    }
    return sb.toString();
  }

  /** The aim for the planner's throughput prediction. */
  static final double AIM_FPS_ERR_PCT = 15;

  static String readE5(Csv c, Csv best, Map<String, String> meta) {
    boolean measured = c.rows().stream().anyMatch(r -> !Double.isNaN(num(r, "meas_fps")));
    StringBuilder sb = new StringBuilder();
    if (!measured) {
      sb.append("Predictions only: nothing was measured to check them against (E4 skipped");
      if (meta.containsKey("e4_reason")) {
        sb.append(": ").append(meta.get("e4_reason"));
      }
      sb.append("). ");
      List<String> picks = best.where(r -> str(r, "objective").equals("throughput")).stream()
          .map(r -> str(r, "bandwidth") + " " + str(r, "size") + " -> " + str(r, "predicted_best")).toList();
      if (!picks.isEmpty()) {
        sb.append("Predicted best for throughput: ").append(String.join(", ", picks)).append(". ");
      }
      sb.append("The edge compute in this profile is an estimate (this machine's, divided by the edge CPU cap), so "
          + "these predictions show the model's shape, not a validated plan.");
      return sb.toString();
    }
    double latErr = c.rows().stream().mapToDouble(r -> Math.abs(num(r, "latency_err_pct"))).filter(Double::isFinite)
        .average().orElse(Double.NaN);
    double fpsErr = c.rows().stream().mapToDouble(r -> Math.abs(num(r, "fps_err_pct"))).filter(Double::isFinite)
        .average().orElse(Double.NaN);
    Map<String, String> worst = c.rows().stream().filter(r -> Double.isFinite(num(r, "fps_err_pct")))
        .max(Comparator.comparingDouble(r -> Math.abs(num(r, "fps_err_pct")))).orElse(null);
    long fpsRows = c.rows().stream().filter(r -> Double.isFinite(num(r, "fps_err_pct"))).count();
    long within = c.rows().stream().filter(r -> Math.abs(num(r, "fps_err_pct")) <= AIM_FPS_ERR_PCT).count();
    sb.append(String.format(Locale.ROOT, "Throughput predicted within %.0f%% (the aim) in %d of %d cases. ",
        AIM_FPS_ERR_PCT, within, fpsRows));
    sb.append(String.format(Locale.ROOT, "Mean absolute error: latency %s%%, throughput %s%%", f(latErr), f(fpsErr)));
    if (worst != null) {
      sb.append(String.format(Locale.ROOT, " (worst fps: %s at %s, %s: predicted %s, measured %s)",
          str(worst, "placement"), str(worst, "size"), str(worst, "bandwidth"), f(num(worst, "pred_fps")),
          f(num(worst, "meas_fps"))));
    }
    sb.append(". ");
    for (String objective : List.of("throughput", "latency")) {
      List<Map<String, String>> rows = best.where(r -> str(r, "objective").equals(objective));
      long hits = rows.stream().filter(r -> Csv.yes(str(r, "match"))).count();
      if (!rows.isEmpty()) {
        sb.append(String.format(Locale.ROOT, "The predicted best placement for %s is the measured best in %d of %d "
            + "cases. ", objective, hits, rows.size()));
      }
    }
    return sb.toString().trim();
  }

  // ---------------------------------------------------------------- E6

  private String e6(Map<String, String> meta) {
    StringBuilder sb = new StringBuilder("## E6 — flow capacity (cameras at " + meta.getOrDefault("e6_fps_per_flow", "30")
        + " fps)\n\n");
    Optional<Csv> csv = Csv.readIfPresent(dir.resolve(FlowCapacityExperiment.CSV));
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(FlowCapacityExperiment.CSV)).toString();
    }
    Csv c = csv.get();
    double[] flows = c.rows().stream().mapToDouble(r -> num(r, "flows")).toArray();
    Map<String, double[][]> series = new LinkedHashMap<>();
    series.put("delivered fps", new double[][] {flows, c.rows().stream().mapToDouble(r -> num(r, "delivered_fps")).toArray()});
    series.put("offered fps", new double[][] {flows, c.rows().stream().mapToDouble(r -> num(r, "offered_fps")).toArray()});
    XYChart chart = Charts.lines("E6: delivered fps and p95 latency vs flows", "concurrent flows", "fps (all flows)",
        series, false, false);
    var p95 = chart.addSeries("p95 latency ms (right)", flows, c.rows().stream().mapToDouble(r -> num(r, "lat_p95_ms"))
        .toArray());
    p95.setYAxisGroup(1);
    p95.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
    double deadline = Optional.ofNullable(meta.get("e6_deadline_ms")).map(Double::parseDouble).orElse(100.0);
    if (flows.length > 0) {
      Charts.referenceLine(chart, "deadline " + f(deadline) + " ms (right)", flows[0], flows[flows.length - 1], deadline,
          Color.RED, 1);
    }
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setYAxisMin(0, 0.0);
    chart.getStyler().setYAxisMin(1, 0.0);
    chart.setYAxisGroupTitle(1, "latency ms");
    chart.setYAxisGroupTitle(0, "fps (all flows)");
    sb.append(image(chart, "e6_flows.png", "E6 flows")).append(reading(readE6(c, meta)))
        .append(table(c, "flows", "offered_fps", "delivered_fps", "frames", "delivered", "dropped", "late", "late_pct",
            "lat_p50_ms", "lat_p95_ms", "lat_p99_ms", "carried", "attempts"));
    return sb.toString();
  }

  /** Largest flow count carried, with every smaller count carried too (rows in ascending order). */
  static int capacity(Csv c) {
    int capacity = 0;
    for (Map<String, String> r : c.rows()) {
      if (!Csv.yes(str(r, "carried"))) {
        break;
      }
      capacity = (int) num(r, "flows");
    }
    return capacity;
  }

  static String readE6(Csv c, Map<String, String> meta) {
    int capacity = capacity(c);
    String size = meta.getOrDefault("e6_size", "?");
    String fps = meta.getOrDefault("e6_fps_per_flow", "30");
    String deadline = meta.getOrDefault("e6_deadline_ms", "100");
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Flow capacity: %d flow(s) of %s at %s fps, %s (a count is carried when nothing is dropped, at least 95%% "
            + "of the offered rate arrives and at most %s%% of frames are later than %s ms from capture). ",
        capacity, size, fps, meta.getOrDefault("e6_where", "this machine"),
        meta.getOrDefault("e6_late_tolerance_pct", "1"), deadline));
    c.rows().stream().filter(r -> !Csv.yes(str(r, "carried"))).findFirst().ifPresent(r -> {
      List<String> why = new ArrayList<>();
      if (num(r, "dropped") > 0) {
        why.add((long) num(r, "dropped") + " frames dropped");
      }
      if (num(r, "delivered_fps") < FlowCapacityExperiment.MIN_RATE * num(r, "offered_fps")) {
        why.add("only " + f(num(r, "delivered_fps")) + " of " + f(num(r, "offered_fps")) + " fps delivered");
      }
      if (num(r, "late_pct") > Double.parseDouble(meta.getOrDefault("e6_late_tolerance_pct", "1"))) {
        why.add(f(num(r, "late_pct")) + "% late");
      } else if (Double.isNaN(num(r, "late_pct")) && num(r, "lat_p95_ms") > Double.parseDouble(deadline)) {
        why.add("p95 " + f(num(r, "lat_p95_ms")) + " ms");
      }
      sb.append(String.format(Locale.ROOT, "At %d flows it breaks%s: %s (p95 %s ms). ", (int) num(r, "flows"),
          num(r, "attempts") > 1 ? " (in both attempts)" : "", why.isEmpty() ? "not carried" : String.join(", ", why),
          f(num(r, "lat_p95_ms"))));
    });
    if (c.rows().stream().allMatch(r -> Csv.yes(str(r, "carried")))) {
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

  // ---------------------------------------------------------------- helpers

  private String image(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String file, String alt) {
    Path png = dir.resolve(file);
    Charts.png(chart, png);
    written.add(png);
    return "![" + alt + "](" + file + ")\n\n";
  }

  private static String reading(String text) {
    return "**Reading.** " + text + "\n\n";
  }

  private static String missing(String file) {
    return "_No data: " + file + " was not written (experiment not run)._\n";
  }

  /** Selected columns of a CSV as a markdown table (columns it lacks are left out). */
  static String table(Csv c, String... columns) {
    List<String> cols = new ArrayList<>();
    for (String col : columns) {
      if (c.header().contains(col)) {
        cols.add(col);
      }
    }
    StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", cols)).append(" |\n|");
    cols.forEach(x -> sb.append("---|"));
    sb.append('\n');
    for (Map<String, String> r : c.rows()) {
      sb.append("| ").append(cols.stream().map(col -> str(r, col).replace("|", "\\|")).collect(Collectors.joining(" | ")))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static List<Integer> sides(Csv c) {
    return c.rows().stream().map(r -> (int) num(r, "side")).distinct().sorted().toList();
  }

  private static Map<String, String> row(Csv c, int side, String mode) {
    return c.rows().stream().filter(r -> (int) num(r, "side") == side && str(r, "mode").equals(mode)).findFirst()
        .orElse(null);
  }

  private static String size(int side) {
    return side + "x" + side;
  }

  /** A number as the tables print it. */
  static String f(double v) {
    return io.edgepipe.harness.report.Table.format(v);
  }
}
