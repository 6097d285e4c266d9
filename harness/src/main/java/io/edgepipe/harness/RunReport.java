package io.edgepipe.harness;

import io.edgepipe.harness.report.Table;
import io.edgepipe.producer.FlowAccount;
import io.edgepipe.producer.PhaseRow;
import io.edgepipe.producer.RunSummary;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Prints a run as tables (totals, per-flow accounting, phases) and turns it into one CSV row. */
public final class RunReport {
  private RunReport() {}

  public static Table totals(List<RunResult> results) {
    Table t = new Table("mode", "sent", "delivered", "dropped", "rejected", "lost", "duplicates", "out_of_order",
        "gaps", "seconds", "fps", "lat_p50_ms", "lat_p95_ms", "lat_p99_ms");
    for (RunResult r : results) {
      RunSummary s = r.summary();
      t.row(r.mode(), r.sent(), s.delivered(), s.dropped(), s.rejected(), r.lost(), s.duplicates(), s.outOfOrder(),
          s.gaps(), s.seconds(), s.fps(), s.latencyP50Ms(), s.latencyP95Ms(), s.latencyP99Ms());
    }
    return t;
  }

  /** sent = delivered + dropped + rejected, per flow. */
  public static Table flows(RunResult r) {
    Table t = new Table("flow", "sent", "delivered", "dropped", "rejected", "balanced");
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(r.sentPerFlow()).entrySet()) {
      FlowAccount f = r.summary().flows().stream().filter(a -> a.flow().equals(e.getKey())).findFirst()
          .orElse(new FlowAccount(e.getKey(), 0, 0, 0, 0, 0, 0));
      boolean balanced = e.getValue() == f.delivered() + f.dropped() + f.rejected();
      t.row(e.getKey(), e.getValue(), f.delivered(), f.dropped(), f.rejected(), balanced ? "yes" : "NO");
    }
    return t;
  }

  public static Table phases(RunResult r) {
    Table t = new Table("stage", "node", "receive_ms", "process_ms", "send_ms");
    for (PhaseRow p : r.summary().phases()) {
      boolean sink = p.stage().equals("sink");
      t.row(p.stage(), p.node(), p.stage().equals("producer") ? "-" : Table.format(p.receiveMs()),
          sink ? "-" : Table.format(p.processMs()), sink ? "-" : Table.format(p.sendMs()));
    }
    return t;
  }

  /** One wide row per run: the totals and every stage's phase means (for CSV and comparisons). */
  public static Table wide(List<RunResult> results) {
    List<String> header = new ArrayList<>(totals(List.of()).header());
    RunResult first = results.get(0);
    for (PhaseRow p : first.summary().phases()) {
      header.add(p.stage() + "_receive_ms");
      header.add(p.stage() + "_process_ms");
      header.add(p.stage() + "_send_ms");
    }
    Table t = new Table(header.toArray(String[]::new));
    Table totals = totals(results);
    for (int i = 0; i < results.size(); i++) {
      List<Object> cells = new ArrayList<>(totals.rows().get(i));
      for (PhaseRow p : results.get(i).summary().phases()) {
        cells.add(p.receiveMs());
        cells.add(p.processMs());
        cells.add(p.sendMs());
      }
      while (cells.size() < header.size()) {
        cells.add("-"); // a monolith has no sink hop of its own, for instance
      }
      t.row(cells.subList(0, header.size()).toArray());
    }
    return t;
  }

  public static void print(PrintStream out, RunResult r) {
    totals(List.of(r)).print(out);
    out.println();
    flows(r).print(out);
    if (!r.summary().dropReasons().isEmpty()) {
      out.println();
      Table reasons = new Table("dropped or rejected because", "frames");
      r.summary().dropReasons().forEach(reasons::row);
      reasons.print(out);
    }
    out.println();
    phases(r).print(out);
  }
}
