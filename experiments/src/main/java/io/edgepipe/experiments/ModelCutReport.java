package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;

import io.edgepipe.experiments.ModelCutExperiment.CutColumn;
import io.edgepipe.harness.report.Spread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;

/**
 * The model-cuts report, from {@code NAME-cuts.csv} alone (so it can be rebuilt): per link rate the
 * predicted best cut against the measured best and the two naive rules, where the best cut moves
 * as the link slows, the error per cut, charts of measured (and predicted) fps and of the error per
 * cut, and the per-cut table.
 */
final class ModelCutReport {
  /** A measured fps within this share of the best counts as "as good as the best" (the windows' noise). */
  static final double NEAR_BEST = 0.9;

  private ModelCutReport() {}

  /** Writes {@code NAME-report.md} and its charts beside the CSV; the report's path. */
  static Path write(Path dir, String model, String method) {
    Csv csv = Csv.read(dir.resolve(model + "-cuts.csv"));
    List<String> links = csv.distinct(CutColumn.LINK);
    List<Integer> cuts = csv.distinct(CutColumn.CUT).stream().map(Integer::parseInt).sorted().toList();
    Map<String, Map<Integer, Map<String, String>>> byLink = new LinkedHashMap<>();
    for (String link : links) {
      Map<Integer, Map<String, String>> m = new LinkedHashMap<>();
      for (Map<String, String> r : csv.where(r -> str(r, CutColumn.LINK).equals(link))) {
        m.put((int) num(r, CutColumn.CUT), r);
      }
      byLink.put(link, m);
    }
    StringBuilder md = new StringBuilder("# ").append(model).append(": predicted and measured per cut on the testbed\n\n");
    md.append("Method: ").append(method).append(".\n\n");
    boolean revised = csv.header().contains(ModelCutRecompute.RevisedColumn.FIRST_PRED_FPS.header());
    if (revised) {
      md.append(revision(byLink));
    }
    md.append(charts(dir, model, byLink, revised));
    md.append(best(byLink));
    md.append(moves(byLink));
    md.append(errors(byLink));
    md.append(perCut(cuts, byLink));
    Path report = dir.resolve(model + "-report.md");
    try {
      Files.writeString(report, md.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return report;
  }

  private static String charts(Path dir, String model, Map<String, Map<Integer, Map<String, String>>> byLink,
      boolean revised) {
    Map<String, double[][]> fps = Charts.ordered();
    Map<String, double[][]> err = Charts.ordered();
    byLink.forEach((link, rows) -> {
      fps.put("measured " + link, xy(rows, r -> num(r, CutColumn.MEAS_FPS)));
      err.put(link, xy(rows, r -> num(r, CutColumn.FPS_ERROR_PCT)));
    });
    if (revised) {
      byLink.forEach((link, rows) -> err.put(link + ", model before", xy(rows, ModelCutReport::firstFpsError)));
    }
    XYChart f = Charts.lines(model + ": fps per cut (testbed; dashed: predicted)", "cut (layers on the edge)", "fps",
        fps, false, false);
    byLink.forEach((link, rows) -> {
      double[][] p = xy(rows, r -> num(r, CutColumn.PRED_FPS));
      var s = f.addSeries("predicted " + link, p[0], p[1]);
      s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
      s.setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
          10f, new float[] {4f, 3f}, 0f));
    });
    Charts.png(f, dir.resolve(model + "-fps-per-cut.png"));
    XYChart e = Charts.lines(model + ": fps error per cut, (predicted - measured) / measured", "cut", "error %", err,
        false, false);
    Charts.png(e, dir.resolve(model + "-fps-error-per-cut.png"));
    StringBuilder md = new StringBuilder("![measured and predicted fps per cut](" + model + "-fps-per-cut.png)\n\n"
        + "![fps error per cut](" + model + "-fps-error-per-cut.png)\n\n");
    for (Map.Entry<String, Map<Integer, Map<String, String>>> l : byLink.entrySet()) {
      String file = model + "-fps-per-cut-" + l.getKey() + ".png";
      Charts.png(linkChart(model, l.getKey(), l.getValue(), revised), dir.resolve(file));
      md.append("![fps per cut at ").append(l.getKey()).append("](").append(file).append(")\n\n");
    }
    return md.toString();
  }

  /** One link's measured fps per cut with the prediction (and the prediction before a revision). */
  private static XYChart linkChart(String model, String link, Map<Integer, Map<String, String>> rows, boolean revised) {
    Map<String, double[][]> series = Charts.ordered();
    series.put("measured", xy(rows, r -> num(r, CutColumn.MEAS_FPS)));
    series.put("predicted", xy(rows, r -> num(r, CutColumn.PRED_FPS)));
    if (revised) {
      series.put("predicted by the model before", xy(rows, r -> num(r, ModelCutRecompute.RevisedColumn.FIRST_PRED_FPS)));
    }
    return Charts.lines(model + ": fps per cut at " + link + " (testbed)", "cut (layers on the edge)", "fps", series,
        false, false);
  }

  private static double firstFpsError(Map<String, String> r) {
    return ModelCutExperiment.error(num(r, ModelCutRecompute.RevisedColumn.FIRST_PRED_FPS), num(r, CutColumn.MEAS_FPS));
  }

  private static double firstLatencyError(Map<String, String> r) {
    return ModelCutExperiment.error(num(r, ModelCutRecompute.RevisedColumn.FIRST_PRED_LATENCY_MS),
        num(r, CutColumn.MEAS_P50_MS));
  }

  /** The revised model against the one whose predictions were written beside the measurements. */
  private static String revision(Map<String, Map<Integer, Map<String, String>>> byLink) {
    StringBuilder md = new StringBuilder("## The model was revised after these measurements\n\nThe predictions below "
        + "are the current model's, recomputed from the saved profile after the cuts were measured; \"before\" is the "
        + "model whose predictions were written beside the measurements (CSV first_pred_*). Same measurements, same "
        + "profile: only the model differs.\n\n| link | fps within 15%: before -> now | median fps error | latency "
        + "within 25% | median latency error | predicted best: before -> now (its measured fps) | measured best |\n"
        + "|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<Integer, Map<String, String>>> e : byLink.entrySet()) {
      var rows = e.getValue().values();
      double[] fpsBefore = finite(rows.stream().mapToDouble(ModelCutReport::firstFpsError));
      double[] fpsNow = finite(rows.stream().mapToDouble(r -> num(r, CutColumn.FPS_ERROR_PCT)));
      double[] latBefore = finite(rows.stream().mapToDouble(ModelCutReport::firstLatencyError));
      double[] latNow = finite(rows.stream().mapToDouble(r -> num(r, CutColumn.LATENCY_ERROR_PCT)));
      Map<String, String> before = rows.stream()
          .min(Comparator.comparingDouble(r -> num(r, ModelCutRecompute.RevisedColumn.FIRST_PRED_RANK))).orElseThrow();
      Map<String, String> now = rows.stream().min(Comparator.comparingDouble(r -> num(r, CutColumn.PRED_RANK)))
          .orElseThrow();
      Map<String, String> best = bestMeasured(e.getValue());
      md.append(String.format(Locale.ROOT, "| %s | %d -> %d of %d | %+.0f%% -> %+.0f%% | %d -> %d of %d | %+.0f%% -> "
          + "%+.0f%% | %d (%.1f) -> %d (%.1f) | %d (%.1f) |%n", e.getKey(), within(fpsBefore, 15), within(fpsNow, 15),
          fpsNow.length, median(fpsBefore), median(fpsNow), within(latBefore, 25), within(latNow, 25), latNow.length,
          median(latBefore), median(latNow), (int) num(before, CutColumn.CUT), num(before, CutColumn.MEAS_FPS),
          (int) num(now, CutColumn.CUT), num(now, CutColumn.MEAS_FPS), (int) num(best, CutColumn.CUT),
          num(best, CutColumn.MEAS_FPS)));
    }
    return md.append('\n').toString();
  }

  private static double[] finite(java.util.stream.DoubleStream values) {
    return values.filter(Double::isFinite).toArray();
  }

  private static double[][] xy(Map<Integer, Map<String, String>> rows, ToDoubleFunction<Map<String, String>> y) {
    double[][] pts = new double[2][rows.size()];
    int i = 0;
    for (Map.Entry<Integer, Map<String, String>> e : rows.entrySet()) {
      pts[0][i] = e.getKey();
      pts[1][i++] = y.applyAsDouble(e.getValue());
    }
    return pts;
  }

  /** Per link: predicted best, measured best, the naive rules, and how the predicted best did. */
  private static String best(Map<String, Map<Integer, Map<String, String>>> byLink) {
    StringBuilder md = new StringBuilder("## Best cut per link rate\n\n");
    md.append("| link | predicted best: cut (pred fps) | its measured fps | % of measured best | its place among "
        + "measured | measured best: cut (fps) | all-server (cut 0) | fewest bytes: cut (fps) | predicted best = measured "
        + "best | predicted best's fps over the naive rules' |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<Integer, Map<String, String>>> e : byLink.entrySet()) {
      Map<Integer, Map<String, String>> rows = e.getValue();
      Map<String, String> predicted = rows.values().stream()
          .min(Comparator.comparingDouble(r -> num(r, CutColumn.PRED_RANK))).orElseThrow();
      Map<String, String> measured = bestMeasured(rows);
      Map<String, String> allServer = rows.get(0);
      Map<String, String> fewest = rows.values().stream()
          .filter(r -> str(r, CutColumn.RULE).contains("fewest-bytes")).findFirst().orElse(null);
      double pm = num(predicted, CutColumn.MEAS_FPS);
      double best = num(measured, CutColumn.MEAS_FPS);
      long place = rows.values().stream().filter(r -> num(r, CutColumn.MEAS_FPS) > pm).count() + 1;
      List<String> beats = new ArrayList<>();
      if (allServer != null) {
        beats.add(verdict("all-server", pm, num(allServer, CutColumn.MEAS_FPS)));
      }
      if (fewest != null) {
        beats.add(verdict("fewest bytes", pm, num(fewest, CutColumn.MEAS_FPS)));
      }
      int pc = (int) num(predicted, CutColumn.CUT);
      int mc = (int) num(measured, CutColumn.CUT);
      md.append(String.format(Locale.ROOT, "| %s | %d (%.1f) | %.1f | %.0f%% | %d of %d | %d (%.1f) | %s | %s | %s | %s |%n",
          e.getKey(), pc, num(predicted, CutColumn.PRED_FPS), pm, 100 * pm / best, place, rows.size(), mc, best,
          allServer == null ? "not run" : String.format(Locale.ROOT, "%.1f", num(allServer, CutColumn.MEAS_FPS)),
          fewest == null ? "not run" : String.format(Locale.ROOT, "%d (%.1f)", (int) num(fewest, CutColumn.CUT),
              num(fewest, CutColumn.MEAS_FPS)),
          pc == mc ? "yes" : pm >= NEAR_BEST * best ? "no, within " + Math.round(100 * (1 - NEAR_BEST)) + "%" : "no",
          String.join("; ", beats)));
    }
    md.append("\nA cut's measured fps is one window (until its halves agree, see Method); cuts within "
        + Math.round(100 * (1 - NEAR_BEST)) + "% of the measured best are as good within that noise.\n\n");
    return md.toString();
  }

  private static String verdict(String rule, double predictedBest, double ruleFps) {
    double ratio = predictedBest / ruleFps;
    return String.format(Locale.ROOT, "%s x%.2f (%s)", rule, ratio, ratio >= 1.1 ? "wins" : ratio <= 0.9 ? "loses"
        : "ties");
  }

  private static Map<String, String> bestMeasured(Map<Integer, Map<String, String>> rows) {
    return rows.values().stream().max(Comparator.comparingDouble(r -> num(r, CutColumn.MEAS_FPS))).orElseThrow();
  }

  /** Where the measured and the predicted best cut go as the link slows. */
  private static String moves(Map<String, Map<Integer, Map<String, String>>> byLink) {
    List<String> measured = new ArrayList<>();
    List<String> predicted = new ArrayList<>();
    for (Map.Entry<String, Map<Integer, Map<String, String>>> e : byLink.entrySet()) {
      Map<String, String> m = bestMeasured(e.getValue());
      double best = num(m, CutColumn.MEAS_FPS);
      List<Integer> near = e.getValue().entrySet().stream()
          .filter(x -> num(x.getValue(), CutColumn.MEAS_FPS) >= NEAR_BEST * best).map(Map.Entry::getKey).toList();
      measured.add(e.getKey() + ": cut " + (int) num(m, CutColumn.CUT) + " (" + near.size() + " cut(s) within "
          + Math.round(100 * (1 - NEAR_BEST)) + "%: " + abbreviate(near) + ")");
      Map<String, String> p = e.getValue().values().stream()
          .min(Comparator.comparingDouble(r -> num(r, CutColumn.PRED_RANK))).orElseThrow();
      predicted.add(e.getKey() + ": cut " + (int) num(p, CutColumn.CUT));
    }
    return "## Where the best cut moves as the link slows\n\n- measured: " + String.join(" -> ", measured)
        + "\n- predicted: " + String.join(" -> ", predicted) + "\n\n";
  }

  private static String abbreviate(List<Integer> cuts) {
    return cuts.size() <= 12 ? cuts.toString()
        : cuts.subList(0, 6) + " ... " + cuts.subList(cuts.size() - 3, cuts.size());
  }

  /** Error per cut, summarised per link. */
  private static String errors(Map<String, Map<Integer, Map<String, String>>> byLink) {
    StringBuilder md = new StringBuilder("## Error per cut\n\n(predicted - measured) / measured; the per-cut figures "
        + "are in the table below and the chart above.\n\n| link | cuts | fps: mean abs error | median error | within "
        + "15% | latency: mean abs error | median error | within 25% |\n|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<Integer, Map<String, String>>> e : byLink.entrySet()) {
      double[] fps = e.getValue().values().stream().mapToDouble(r -> num(r, CutColumn.FPS_ERROR_PCT))
          .filter(Double::isFinite).toArray();
      double[] lat = e.getValue().values().stream().mapToDouble(r -> num(r, CutColumn.LATENCY_ERROR_PCT))
          .filter(Double::isFinite).toArray();
      md.append(String.format(Locale.ROOT, "| %s | %d | %.0f%% | %+.0f%% | %d of %d | %.0f%% | %+.0f%% | %d of %d |%n",
          e.getKey(), e.getValue().size(), meanAbs(fps), median(fps), within(fps, 15), fps.length, meanAbs(lat),
          median(lat), within(lat, 25), lat.length));
    }
    return md.append('\n').toString();
  }

  private static double meanAbs(double[] v) {
    return Arrays.stream(v).map(Math::abs).average().orElse(Double.NaN);
  }

  private static double median(double[] v) {
    return v.length == 0 ? Double.NaN : Spread.of(v).median();
  }

  private static long within(double[] v, double pct) {
    return Arrays.stream(v).filter(x -> Math.abs(x) <= pct).count();
  }

  /** One row per cut: bytes up, the rules, then per link predicted / measured fps and latency. */
  private static String perCut(List<Integer> cuts, Map<String, Map<Integer, Map<String, String>>> byLink) {
    String first = byLink.keySet().iterator().next();
    StringBuilder md = new StringBuilder("## Per cut\n\nfps and paced p50 latency, predicted / measured; the edge's CPU "
        + "per frame (ms of one core, producer and sink included) in the " + first + " throughput window, predicted / "
        + "measured (/proc; it includes the JVMs' background, which weighs more the fewer frames a second).\n\n| cut "
        + "| bytes up | rule | " + first + " edge CPU ms |");
    StringBuilder rule = new StringBuilder("|---|---|---|---|");
    for (String link : byLink.keySet()) {
      md.append(' ').append(link).append(" fps | ").append(link).append(" ms |");
      rule.append("---|---|");
    }
    md.append('\n').append(rule).append('\n');
    for (int cut : cuts) {
      Map<String, String> any = byLink.values().stream().map(m -> m.get(cut)).filter(java.util.Objects::nonNull)
          .findFirst().orElseThrow();
      Map<String, String> atFirst = byLink.get(first).get(cut);
      md.append(String.format(Locale.ROOT, "| %d | %d | %s | %s |", cut, (long) num(any, CutColumn.BYTES_UP),
          str(any, CutColumn.RULE), atFirst == null ? "-" : String.format(Locale.ROOT, "%.2f / %.2f",
              num(atFirst, CutColumn.PRED_EDGE_CPU_MS), num(atFirst, CutColumn.MEAS_EDGE_CPU_MS))));
      for (Map<Integer, Map<String, String>> rows : byLink.values()) {
        Map<String, String> r = rows.get(cut);
        md.append(r == null ? " - | - |" : String.format(Locale.ROOT, " %.1f / %.1f | %.1f / %.1f |",
            num(r, CutColumn.PRED_FPS), num(r, CutColumn.MEAS_FPS), num(r, CutColumn.PRED_LATENCY_MS),
            num(r, CutColumn.MEAS_P50_MS)));
      }
      md.append('\n');
    }
    return md.append('\n').toString();
  }
}
