package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.ThroughputExperiment.Column.*;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.missing;
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
 * E3's report section: frames per second of the monolith and the 2-, 3- and 4-stage pipelines,
 * with the CPU ceiling, from {@link ThroughputExperiment#CSV}; the reading compares the change
 * with the thesis's and says why it differs.
 */
final class ThroughputSection implements ReportSection {
  @Override
  public String id() {
    return "E3";
  }

  @Override
  public String render(ReportContext report) {
    Map<String, String> meta = report.meta();
    StringBuilder sb = new StringBuilder("## E3 — throughput, monolith vs 2-, 3- and 4-stage pipelines (1280x720)\n\n");
    Optional<Csv> csv = report.csv(ThroughputExperiment.CSV);
    if (csv.isEmpty() || csv.get().isEmpty()) {
      return sb.append(missing(ThroughputExperiment.CSV)).toString();
    }
    Csv c = csv.get();
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("measured fps", new ArrayList<>());
    series.put("CPU ceiling (cores x 1000 / CPU ms per frame)", new ArrayList<>());
    for (Map<String, String> r : c.rows()) {
      categories.add(str(r, SERVICES).replace(" (one process)", "").replace(" | ", "|"));
      series.get("measured fps").add(num(r, FPS));
      series.get("CPU ceiling (cores x 1000 / CPU ms per frame)").add(num(r, CPU_BOUND_FPS));
    }
    int rounds = (int) num(c.rows().get(0), ROUNDS); // NaN -> 0: a run from before E3 had rounds
    String title = rounds > 1 ? "E3: frames per second, 1280x720 (median of " + rounds + " rounds; range in the table)"
        : "E3: frames per second, 1280x720 (one run per variant: no spread measured)";
    CategoryChart chart = Charts.bars(title, "services (| = gRPC hop)", "fps", categories, series, false);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS); // inside, it hid the tallest bars
    chart.getStyler().setXAxisLabelRotation(20);
    sb.append(report.image(chart, "e3_throughput.png", "E3 throughput")).append(reading(read(c, meta)))
        .append(table(c, VARIANT, SERVICES, FRAMES, FPS, CHANGE_VS_MONOLITH_PCT, CPU_MS_PER_FRAME,
            CPU_BOUND_FPS, SLOWEST_SERVICE, SLOWEST_SERVICE_MS, LAT_P50_MS, THESIS_SERVER_PCT,
            THESIS_EDGE_PCT, ROUNDS, FPS_MIN, FPS_MAX, CHANGE_MIN_PCT, CHANGE_MAX_PCT));
    sb.append("\nThe 2- and 3-stage pipelines fuse consecutive layers into one service (one gRPC service computing "
        + "them in turn on its device, same runtime classes as a single-layer stage); the producer counts as a stage, "
        + "as in the thesis. `slowest_service_ms` is that service's process + send time per frame. With rounds, each "
        + "row is the variant's median over them (a change against the monolith of the same round), `fps_min`-`fps_max` "
        + "and `change_min_pct`-`change_max_pct` their range; every round is in `" + ThroughputExperiment.ROUNDS_CSV
        + "`.\n");
    return sb.toString();
  }

  static String read(Csv c, Map<String, String> meta) {
    Map<String, String> mono = c.rows().stream().filter(r -> str(r, VARIANT).equals("monolith")).findFirst()
        .orElse(null);
    List<Map<String, String>> four = c.where(r -> str(r, VARIANT).equals("4-stage"));
    if (mono == null || four.isEmpty()) {
      return "Monolith or 4-stage row missing.";
    }
    Map<String, String> f4 = four.get(0);
    double monoFps = num(mono, FPS);
    double change4 = change(f4, monoFps);
    Map<String, String> bestPipe = c.rows().stream().filter(r -> !str(r, VARIANT).equals("monolith"))
        .max(Comparator.comparingDouble(r -> num(r, FPS))).orElse(f4);
    String cores = meta.getOrDefault("cores", "?");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "The monolith streams %s fps; the 4-stage pipeline %s fps (%+.1f%%), ",
        f(monoFps), f(num(f4, FPS)), change4));
    sb.append(String.format(Locale.ROOT, "the best pipeline here is %s (%s, %s fps, %+.1f%%). ", str(bestPipe, VARIANT),
        str(bestPipe, SERVICES), f(num(bestPipe, FPS)), change(bestPipe, monoFps)));
    double rounds = num(f4, ROUNDS);
    if (rounds > 1) {
      double lo = num(f4, CHANGE_MIN_PCT);
      double hi = num(f4, CHANGE_MAX_PCT);
      sb.append(String.format(Locale.ROOT, "These are medians of %d rounds; over them the monolith ran at %s-%s fps "
              + "and the 4-stage pipeline's change was %+.1f%% to %+.1f%%", (int) rounds, f(num(mono, FPS_MIN)),
          f(num(mono, FPS_MAX)), lo, hi));
      sb.append(lo < 0 && hi > 0 ? ": within the spread of this machine, the split neither gains nor loses. "
          : ". ");
    }
    double slowest = num(f4, SLOWEST_SERVICE_MS);
    if (slowest > 0) {
      sb.append(String.format(Locale.ROOT, "Its slowest service, %s, needs %s ms per frame (process + send), "
              + "which alone would allow %s fps; ", str(f4, SLOWEST_SERVICE), f(slowest), f(1000 / slowest)));
    }
    sb.append(String.format(Locale.ROOT, "the thesis measured +%.2f%% on its server and +%.2f%% on the Xavier for four "
        + "microservices. ", ThroughputExperiment.THESIS_SERVER_PCT, ThroughputExperiment.THESIS_EDGE_PCT));
    double cpuMono = num(mono, CPU_MS_PER_FRAME);
    double cpu4 = num(f4, CPU_MS_PER_FRAME);
    sb.append(String.format(Locale.ROOT, "Why ours %s: this machine has %s cores, so at most %s services compute at "
            + "once however many stages the chain has, and every hop costs CPU the monolith does not spend (here the "
            + "services share one JVM and a frame passes by reference, without serialization or a copy, but each "
            + "hop still hands it to another service's threads: an in-process gRPC call, the next stage's inbox, an "
            + "ack): the 4-stage pipeline burns %s ms of CPU per frame against the monolith's %s, which caps it at "
            + "%s fps even with perfect overlap, and the measured rate stays below that cap because the services' "
            + "threads and whatever else runs on the machine%s take turns on those cores. "
            + "A pipeline gains only when its stages run on cores (or devices) of their own, as on the thesis's x86 "
            + "server and Jetson AGX Xavier (8 CPU cores, CUDA in its images), and when a frame's hop costs less than "
            + "the compute it lets overlap.",
        change4 < ThroughputExperiment.THESIS_SERVER_PCT ? "differs" : "agrees", cores, cores, f(cpu4), f(cpuMono),
        f(num(f4, CPU_BOUND_FPS)), meta.containsKey("loadavg_start") ? " (load average at the start: "
            + meta.get("loadavg_start") + ")" : ""));
    return sb.toString();
  }

  /** A pipeline's change against the monolith as the CSV gives it (with rounds, the median of each round's). */
  private static double change(Map<String, String> row, double monolithFps) {
    double recorded = num(row, CHANGE_VS_MONOLITH_PCT);
    return Double.isFinite(recorded) ? recorded : 100 * (num(row, FPS) / monolithFps - 1);
  }
}
