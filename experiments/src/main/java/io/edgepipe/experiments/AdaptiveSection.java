package io.edgepipe.experiments;

import static io.edgepipe.experiments.AdaptiveExperiment.ConditionColumn.*;
import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static io.edgepipe.experiments.ReportContext.f;
import static io.edgepipe.experiments.ReportContext.reading;
import static io.edgepipe.experiments.ReportContext.table;

import io.edgepipe.experiments.AdaptiveExperiment.MoveColumn;
import io.edgepipe.experiments.AdaptiveExperiment.StaticColumn;
import io.edgepipe.experiments.AdaptiveExperiment.TimelineColumn;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * E7's report section: fps and placement over the adaptive run (conditions marked), and per
 * condition the time to the new placement and the fps against the best static placement.
 */
final class AdaptiveSection implements ReportSection {
  /** fps in the chart: frames over this many seconds, so the line is readable. */
  static final double SMOOTH_S = 1.0;

  @Override
  public String id() {
    return "E7";
  }

  @Override
  public String render(ReportContext report) {
    Map<String, String> meta = report.meta();
    StringBuilder sb = new StringBuilder("## E7 — live re-placement on the testbed ("
        + meta.getOrDefault("e7_size", "?") + ")\n\n");
    Optional<Csv> conditions = report.csv(AdaptiveExperiment.CSV);
    Optional<Csv> timeline = report.csv(AdaptiveExperiment.TIMELINE_CSV);
    if (conditions.isEmpty() || timeline.isEmpty() || conditions.get().isEmpty()) {
      return ""; // not run into this folder (older runs have no E7): left out, as the settings' list of experiments says
    }
    sb.append("Method: ").append(meta.getOrDefault("e7_method", "-")).append(".\n\n");
    sb.append(report.image(chart(conditions.get(), timeline.get()), "e7_adaptive.png", "E7 fps and placement"));
    sb.append(reading(read(conditions.get(), meta)));
    sb.append(table(conditions.get(), STEP, CONDITION, CHANGE_AT_S, PLACEMENT_BEFORE, PLACEMENT_AFTER, MOVES,
        TIME_TO_PLACEMENT_S, DETECTED_S, DECIDED_S, SWITCHING_MS, DRAINED_S, ADAPTIVE_FPS, BEST_STATIC, BEST_STATIC_FPS, BEST_STATIC_SPREAD, RATIO_PCT, WITHIN_15PCT, RIGHT_PLACEMENT));
    report.csv(AdaptiveExperiment.MOVES_CSV).filter(c -> !c.isEmpty()).ifPresent(c -> sb.append("\nMoves:\n\n")
        .append(table(c, MoveColumn.DECIDED_S, MoveColumn.FROM, MoveColumn.TO, MoveColumn.STAGES,
            MoveColumn.SWITCHED_MS, MoveColumn.DRAINED_MS, MoveColumn.DRAINED, MoveColumn.REASON)));
    report.csv(AdaptiveExperiment.STATIC_CSV).filter(c -> !c.isEmpty()).ifPresent(c -> sb.append(
        "\nStatic placements per condition (each repeat):\n\n").append(table(c, StaticColumn.STEP,
        StaticColumn.CONDITION, StaticColumn.PLACEMENT, StaticColumn.REPEAT, StaticColumn.FPS)));
    return sb.toString();
  }

  static XYChart chart(Csv conditions, Csv timeline) {
    List<Double> t = new ArrayList<>();
    List<Double> fps = new ArrayList<>();
    List<Double> edgeStages = new ArrayList<>();
    double windowStart = Double.NaN;
    double delivered0 = 0;
    for (Map<String, String> r : timeline.rows()) {
      double at = num(r, TimelineColumn.T_S);
      double delivered = num(r, TimelineColumn.DELIVERED);
      if (Double.isNaN(windowStart)) {
        windowStart = at;
        delivered0 = delivered;
        continue;
      }
      if (at - windowStart >= SMOOTH_S) {
        t.add(at);
        fps.add((delivered - delivered0) / (at - windowStart));
        edgeStages.add((double) str(r, TimelineColumn.PLACEMENT).chars().filter(ch -> ch == 'E').count());
        windowStart = at;
        delivered0 = delivered;
      }
    }
    XYChart chart = Charts.lines("E7: fps and placement over the adaptive run", "seconds since the main phase",
        "fps (1 s windows)", Map.of(), false, false);
    double[] ts = t.stream().mapToDouble(Double::doubleValue).toArray();
    if (ts.length > 0) {
      XYSeries f = chart.addSeries("fps", ts, fps.stream().mapToDouble(Double::doubleValue).toArray());
      f.setMarker(SeriesMarkers.NONE);
      XYSeries p = chart.addSeries("services on the edge (right; 1 = ESSS, 4 = EEEE)", ts,
          edgeStages.stream().mapToDouble(Double::doubleValue).toArray());
      p.setMarker(SeriesMarkers.NONE);
      p.setYAxisGroup(1);
      p.setLineColor(Color.DARK_GRAY);
      double top = fps.stream().mapToDouble(Double::doubleValue).max().orElse(1);
      for (Map<String, String> r : conditions.rows()) {
        double at = num(r, CHANGE_AT_S);
        // numbered: a schedule may return to an earlier condition, and series names must differ
        XYSeries v = chart.addSeries("→ " + str(r, STEP) + ": " + str(r, CONDITION), new double[] {at, at},
            new double[] {0, top});
        v.setMarker(SeriesMarkers.NONE);
        v.setLineColor(Color.LIGHT_GRAY);
      }
    }
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.setYAxisGroupTitle(0, "fps (1 s windows)");
    chart.setYAxisGroupTitle(1, "services on the edge");
    chart.getStyler().setYAxisMin(0, 0.0);
    chart.getStyler().setYAxisMin(1, 0.0);
    chart.getStyler().setYAxisMax(1, 4.5);
    return chart;
  }

  static String read(Csv c, Map<String, String> meta) {
    List<String> parts = new ArrayList<>();
    int moved = 0;
    int fast = 0;
    int close = 0;
    int right = 0;
    for (Map<String, String> r : c.rows()) {
      if (Csv.yes(str(r, RIGHT_PLACEMENT))) {
        right++;
      }
      String ttp = str(r, TIME_TO_PLACEMENT_S);
      boolean hasMove = !ttp.equals("no move") && !ttp.isBlank() && !ttp.equals("-");
      if (hasMove) {
        moved++;
        if (num(r, TIME_TO_PLACEMENT_S) <= 3) {
          fast++;
        }
      }
      if (Csv.yes(str(r, WITHIN_15PCT))) {
        close++;
      }
      parts.add(String.format(Locale.ROOT, "%s: %s -> %s (%s), %s fps vs best static %s %s fps (%s%%)",
          str(r, CONDITION), str(r, PLACEMENT_BEFORE), str(r, PLACEMENT_AFTER),
          hasMove ? "placed after " + f(num(r, TIME_TO_PLACEMENT_S)) + " s" : "no move", f(num(r, ADAPTIVE_FPS)),
          str(r, BEST_STATIC), f(num(r, BEST_STATIC_FPS)), f(num(r, RATIO_PCT))));
    }
    return String.join("; ", parts) + ". Over the whole run " + meta.getOrDefault("e7_sent", "?")
        + " frames were sent, " + meta.getOrDefault("e7_lost", "?") + " lost, " + meta.getOrDefault("e7_duplicates", "?")
        + " duplicated at the sink, in " + meta.getOrDefault("e7_moves", "?") + " move(s). The placement reached was "
        + "the best static one or within its spread in " + right + " of " + c.rows().size() + " conditions. Aims: the new "
        + "placement within 3 s of a change (met in " + fast + " of " + moved + " conditions that needed a move), fps "
        + "within 15% of the best static placement (met in " + close + " of " + c.rows().size() + " conditions; the "
        + "static runs are short and, on a loaded host, spread widely: see best_static_spread). The time to "
        + "a placement (time_to_placement_s) counts from the change (just before tc or the quota is written) to "
        + "the moment new frames flow on the new placement (every upstream switched to the new instances); it is "
        + "split into detected_s (the controller's sensors saw the change), decided_s (its dwell held; the "
        + "decision) and switching_ms (decision to switched). drained_s, from the change too, is when the old "
        + "instances had finished the frames they had been sent before the switch (they finish along the old "
        + "path while new frames flow; the sink restores the order, so frames are delivered in order only from "
        + "then on).";
  }
}
