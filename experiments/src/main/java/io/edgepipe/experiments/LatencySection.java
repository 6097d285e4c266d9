package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.LatencyExperiment.LatencyColumn.*;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.missing;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.size;
import static io.edgepipe.experiments.ReportContext.table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.CategoryChart;

/**
 * E1's report section: latency per frame, monolith vs four microservices, split into compute,
 * communication and other, from {@link LatencyExperiment#E1_CSV}; the reading compares it with
 * the thesis's figures 4.3 and 4.6.
 */
final class LatencySection implements ReportSection {
  @Override
  public String id() {
    return "E1";
  }

  @Override
  public String render(ReportContext report) {
    StringBuilder sb = new StringBuilder("## E1 — latency per frame, monolith vs four microservices\n\n");
    Optional<Csv> csv = report.csv(LatencyExperiment.E1_CSV);
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
      categories.add(str(r, SIZE) + (str(r, MODE).equals("monolith") ? " mono" : " micro"));
      series.get("compute").add(num(r, COMPUTE_MS));
      series.get("communication").add(num(r, COMMUNICATION_MS));
      series.get("other").add(num(r, OTHER_MS));
    }
    if (series.get("other").stream().mapToDouble(d -> d.isNaN() ? 0 : d).max().orElse(0) < 0.05) {
      series.remove("other"); // latency is the sum of the phases: nothing else to show
    }
    CategoryChart chart = Charts.bars("E1: latency per frame (one frame in flight; mean of the frames, p50 and p95 in the table)", "frame size and mode",
        "ms per frame (mean)", categories, series, true);
    sb.append(report.image(chart, "e1_latency.png", "E1 latency per frame")).append(reading(read(c)))
        .append(table(c, SIZE, MODE, FRAMES, LATENCY_MEAN_MS, LATENCY_P50_MS, LATENCY_P95_MS, COMPUTE_MS,
            COMMUNICATION_MS, OTHER_MS));
    return sb.toString();
  }

  static String read(Csv c) {
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
    double addLo = num(microLo, LATENCY_MEAN_MS) - num(monoLo, LATENCY_MEAN_MS);
    double addHi = num(microHi, LATENCY_MEAN_MS) - num(monoHi, LATENCY_MEAN_MS);
    double commLo = num(microLo, COMMUNICATION_MS);
    double commHi = num(microHi, COMMUNICATION_MS);
    double compLo = num(microLo, COMPUTE_MS);
    double compHi = num(microHi, COMPUTE_MS);
    double pixels = (double) hi * hi / ((double) lo * lo);
    double commGrowth = commHi / commLo;
    double compGrowth = compHi / compLo;
    double compDiff = 100 * (compHi / num(monoHi, COMPUTE_MS) - 1);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "Four microservices add %s ms per frame to the monolith at %s (%.1fx its latency) and %s ms at %s (%.1fx). ",
        f(addLo), size(lo), num(microLo, LATENCY_MEAN_MS) / num(monoLo, LATENCY_MEAN_MS), f(addHi), size(hi),
        num(microHi, LATENCY_MEAN_MS) / num(monoHi, LATENCY_MEAN_MS)));
    sb.append(String.format(Locale.ROOT,
        "The added time is communication (%s ms at %s, %s ms at %s, %.0f%% of the microservices' latency at %s); "
            + "compute is %s the monolith's (%+.0f%% at %s). ",
        f(commLo), size(lo), f(commHi), size(hi), 100 * commHi / num(microHi, LATENCY_MEAN_MS), size(hi),
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

  private static List<Integer> sides(Csv c) {
    return c.rows().stream().map(r -> (int) num(r, SIDE)).distinct().sorted().toList();
  }

  private static Map<String, String> row(Csv c, int side, String mode) {
    return c.rows().stream().filter(r -> (int) num(r, SIDE) == side && str(r, MODE).equals(mode)).findFirst()
        .orElse(null);
  }
}
