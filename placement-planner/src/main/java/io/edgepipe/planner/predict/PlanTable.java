package io.edgepipe.planner.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The plan as text: the candidate table with the winner marked, the sentence, then the extras. */
public final class PlanTable {
  private PlanTable() {}

  public static String render(PlanReport report) {
    StringBuilder out = new StringBuilder();
    PlannerOptions o = report.options();
    out.append(String.format(Locale.ROOT, "pipeline %s, frame %s, objective %s, %s compute, cores edge %s / server %s%s%n",
        report.pipeline(), report.frameSize(), o.objective(), o.statistic().name().toLowerCase(Locale.ROOT),
        cores(o.edgeCores()), cores(o.serverCores()), o.hostCores() > 0 ? " on one host of " + cores(o.hostCores()) : ""));
    if (o.coresAssumed()) {
      out.append("cores not given: assumed this machine's for each tier not given; set --edge-cores and "
          + "--server-cores (0 = unlimited)\n");
    }
    out.append('\n');
    out.append(TextTable.render(candidateHeader(report), candidateRows(report)));
    out.append('\n').append(report.explanation()).append("\n\n");
    out.append(fusion(report)).append('\n').append(replicas(report));
    return out.toString();
  }

  static List<String> candidateHeader(PlanReport report) {
    List<String> header = new ArrayList<>(List.of("", "placement", "latency ms", "fps", "bottleneck"));
    for (String stage : report.stages()) {
      header.add("CCR " + stage);
    }
    return header;
  }

  static List<List<String>> candidateRows(PlanReport report) {
    List<List<String>> rows = new ArrayList<>();
    for (Prediction p : report.ranked()) {
      List<String> row = new ArrayList<>(List.of(p == report.winner() ? "*" : "", p.placement().letters(),
          Format.ms(p.latencyMs()), Format.fps(p.fps()), p.bottleneck()));
      for (String stage : report.stages()) {
        row.add(Format.ccr(p.ccr(stage)));
      }
      rows.add(row);
    }
    return rows;
  }

  private static String fusion(PlanReport report) {
    String title = "fusion of adjacent same-tier stages in " + report.winner().placement() + ":\n";
    if (report.fusion().isEmpty()) {
      return title + "  none: no two adjacent stages share a tier\n";
    }
    List<List<String>> rows = new ArrayList<>();
    for (FusionOption f : report.fusion()) {
      rows.add(List.of(f.services(), f.tier().label(),
          Format.ms(f.base().latencyMs()) + " -> " + Format.ms(f.fused().latencyMs()),
          Format.fps(f.base().fps()) + " -> " + Format.fps(f.fused().fps()),
          String.format(Locale.ROOT, "%+.2f ms, %+.1f fps", tidy(-f.latencyGainMs(), 100), tidy(f.fpsGain(), 10)),
          f.wins() ? "yes" : "no"));
    }
    return title + TextTable.render(List.of("services", "tier", "latency ms", "fps", "change", "wins"), rows);
  }

  private static String replicas(PlanReport report) {
    ReplicaAdvice advice = report.replicas();
    String title = advice.stage() == null ? "replicas:\n" : "replicas of " + advice.stage() + ":\n";
    if (advice.note() != null) {
      return title + "  none: " + advice.note() + "\n";
    }
    double base = advice.options().get(0).prediction().fps();
    List<List<String>> rows = new ArrayList<>();
    for (ReplicaAdvice.ReplicaOption option : advice.options()) {
      Prediction p = option.prediction();
      rows.add(List.of(option.replicas() == advice.bestReplicas() ? "*" : "", Integer.toString(option.replicas()),
          Format.fps(p.fps()), String.format(Locale.ROOT, "%+.1f fps", tidy(p.fps() - base, 10)), p.bottleneck()));
    }
    String verdict = advice.helps()
        ? String.format(Locale.ROOT, "  %d replicas of %s give the most throughput%s%n", advice.bestReplicas(),
            advice.stage(), report.options().objective() == Objective.LATENCY
                ? " (not applied: the objective is latency, which replicas do not shorten)" : "")
        : "  more replicas do not raise throughput (another service or the link limits it)\n";
    return title + TextTable.render(List.of("", "replicas", "fps", "gain", "bottleneck"), rows) + verdict;
  }

  /** Rounded to the shown precision, without a "-0.00" for a change that rounds to nothing. */
  private static double tidy(double value, double scale) {
    return Math.round(value * scale) / scale + 0.0;
  }

  private static String cores(double cores) {
    return cores == 0 ? "unlimited" : Format.raw(cores).replaceAll("\\.?0+$", "");
  }
}
