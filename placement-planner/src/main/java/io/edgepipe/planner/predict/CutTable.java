package io.edgepipe.planner.predict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A {@link CutPlanner.CutPlan} as text (the best cuts and the naive rules' picks) and as CSV (every cut). */
public final class CutTable {
  private CutTable() {}

  private static final List<String> HEADER = List.of("rank", "cut", "edge_layers", "bytes_up", "bytes_down",
      "edge_ms", "server_ms", "link_ms", "latency_ms", "fps", "bottleneck", "note");

  /** The {@code top} best plans, then all-server, the fewest-bytes cut and all-edge where they rank lower. */
  public static String render(CutPlanner.CutPlan plan, int top) {
    List<List<String>> rows = new ArrayList<>();
    List<CutPlanner.CutPrediction> shown = new ArrayList<>();
    for (int i = 0; i < plan.ranked().size() && i < top; i++) {
      shown.add(plan.ranked().get(i));
    }
    for (CutPlanner.CutPrediction extra : List.of(plan.allServer(), plan.fewestBytes(), plan.singles().get(plan.layers()))) {
      if (!shown.contains(extra)) {
        shown.add(extra);
      }
    }
    for (CutPlanner.CutPrediction p : shown) {
      rows.add(row(plan, p, Format::ms, Format::fps));
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%s: %d layers, %d cuts at %s; objective %s; edge cores %s, server cores %s%s%n", plan.pipeline(), plan.layers(),
        plan.layers() + 1, plan.frameSize(), plan.options().objective().name().toLowerCase(Locale.ROOT),
        cores(plan.options().edgeCores()), cores(plan.options().serverCores()),
        plan.options().coresAssumed() ? " (assumed: this machine's)" : ""));
    s.append(TextTable.render(HEADER, rows));
    return s.append('\n').append(plan.explanation()).append('\n').toString();
  }

  public static void write(CutPlanner.CutPlan plan, Path file) {
    StringBuilder out = new StringBuilder(String.join(",", HEADER)).append('\n');
    for (CutPlanner.CutPrediction p : plan.ranked()) {
      out.append(String.join(",", row(plan, p, Format::raw, Format::raw))).append('\n');
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, out.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static List<String> row(CutPlanner.CutPlan plan, CutPlanner.CutPrediction p,
      java.util.function.DoubleFunction<String> ms, java.util.function.DoubleFunction<String> fps) {
    List<String> notes = new ArrayList<>();
    if (p == plan.winner()) {
      notes.add("winner");
    }
    if (p == plan.allServer()) {
      notes.add("all-server");
    }
    if (p == plan.fewestBytes()) {
      notes.add("fewest bytes");
    }
    if (p == plan.singles().get(plan.layers())) {
      notes.add("all-edge");
    }
    return List.of(String.valueOf(plan.ranked().indexOf(p) + 1), p.label().replace("cut ", ""), String.valueOf(p.cut()),
        String.valueOf(p.bytesUp()), String.valueOf(p.bytesDown()), ms.apply(p.edgeMs()), ms.apply(p.serverMs()),
        ms.apply(p.linkMs()), ms.apply(p.latencyMs()), fps.apply(p.fps()), p.bottleneck(), String.join("; ", notes));
  }

  private static String cores(double cores) {
    return cores <= 0 ? "unlimited" : Format.raw(cores).replaceFirst("\\.?0+$", "");
  }
}
