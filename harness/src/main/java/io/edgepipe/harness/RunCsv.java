package io.edgepipe.harness;

import io.edgepipe.harness.report.Table;
import io.edgepipe.producer.FlowAccount;
import io.edgepipe.producer.PhaseRow;
import io.edgepipe.producer.RunSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CSV of `pipeline run`: what its screen shows, one row per flow and a {@code total} row, each
 * with the run's settings. Every column is described in docs/run-csv.md.
 */
public final class RunCsv {
  private RunCsv() {}

  static final List<String> SETTINGS = List.of("spec", "input_size", "flows", "fps_asked", "delivery", "tls", "device");
  static final List<String> COUNTS = List.of("sent", "delivered", "dropped", "rejected", "lost", "duplicates",
      "out_of_order", "gaps");
  static final List<String> TIMES = List.of("seconds", "fps", "lat_p50_ms", "lat_p95_ms", "lat_p99_ms");

  public static Table of(RunResult r, RunSettings s) {
    List<String> header = new ArrayList<>(List.of("row", "mode"));
    header.addAll(SETTINGS);
    header.addAll(COUNTS);
    header.addAll(TIMES);
    RunSummary sum = r.summary();
    for (PhaseRow p : sum.phases()) {
      header.add(p.stage() + "_receive_ms");
      header.add(p.stage() + "_process_ms");
      header.add(p.stage() + "_send_ms");
    }
    Table t = new Table(header.toArray(String[]::new));
    for (Map.Entry<String, Long> e : new TreeMap<>(r.sentPerFlow()).entrySet()) {
      FlowAccount f = sum.flows().stream().filter(a -> a.flow().equals(e.getKey())).findFirst()
          .orElse(new FlowAccount(e.getKey(), 0, 0, 0, 0, 0, 0));
      long lost = e.getValue() - f.delivered() - f.dropped() - f.rejected();
      List<Object> cells = settings(e.getKey(), r, s);
      cells.addAll(List.of(e.getValue(), f.delivered(), f.dropped(), f.rejected(), lost, f.duplicates(),
          f.outOfOrder(), f.gaps()));
      // the flow's own rate over the run's span; latency and phases are measured over all flows only
      cells.addAll(List.of(sum.seconds(), sum.seconds() > 0 ? f.delivered() / sum.seconds() : 0.0, "", "", ""));
      while (cells.size() < header.size()) {
        cells.add("");
      }
      t.row(cells.toArray());
    }
    List<Object> total = settings("total", r, s);
    total.addAll(List.of(r.sent(), sum.delivered(), sum.dropped(), sum.rejected(), r.lost(), sum.duplicates(),
        sum.outOfOrder(), sum.gaps(), sum.seconds(), sum.fps(), sum.latencyP50Ms(), sum.latencyP95Ms(),
        sum.latencyP99Ms()));
    for (PhaseRow p : sum.phases()) {
      total.add(p.receiveMs());
      total.add(p.processMs());
      total.add(p.sendMs());
    }
    t.row(total.toArray());
    return t;
  }

  private static List<Object> settings(String row, RunResult r, RunSettings s) {
    return new ArrayList<>(List.of(row, r.mode(), s.spec(), s.inputSize(), s.flows(), s.fpsAsked(), s.delivery(),
        s.tls() ? "yes" : "no", s.device()));
  }
}
