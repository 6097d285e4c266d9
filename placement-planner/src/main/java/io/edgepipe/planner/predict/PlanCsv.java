package io.edgepipe.planner.predict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The candidate table as CSV, one row per placement, best first, full precision. */
public final class PlanCsv {
  private PlanCsv() {}

  public static String render(PlanReport report) {
    List<String> header = new ArrayList<>(List.of("placement", "latency_ms", "fps", "bottleneck"));
    report.stages().forEach(s -> header.add("ccr_" + s));
    header.add("winner");
    StringBuilder out = new StringBuilder(String.join(",", header)).append('\n');
    for (Prediction p : report.ranked()) {
      List<String> row = new ArrayList<>(List.of(p.placement().letters(), Format.raw(p.latencyMs()),
          Format.raw(p.fps()), p.bottleneck()));
      for (String stage : report.stages()) {
        row.add(Format.raw(p.ccr(stage)));
      }
      row.add(p == report.winner() ? "true" : "false");
      out.append(String.join(",", row)).append('\n');
    }
    return out.toString();
  }

  public static void write(PlanReport report, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, render(report));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
