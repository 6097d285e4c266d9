package io.edgepipe.experiments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an experiments folder's CSV files into {@code report.md} and PNG charts. It only puts
 * the pieces in order: the heading, the table of settings (from {@code meta.csv}), then each
 * experiment's {@link ReportSection}, which reads its experiment's CSV files through the
 * experiment's own {@link CsvColumn}s and writes its charts, reading and tables. Since it reads
 * only the files, a report can be rebuilt from a kept run
 * ({@code pipeline bench experiments --report-only DIR}).
 */
public final class ReportWriter {
  public static final String REPORT = "report.md";
  /** The sections, in the order of the report. */
  static final List<ReportSection> SECTIONS = List.of(new LatencySection(), new CcrSection(), new ThroughputSection(),
      new PlacementSection(), new PredictionSection(), new FlowCapacitySection(), new AdaptiveSection());

  private final Path dir;

  public ReportWriter(Path dir) {
    this.dir = dir;
  }

  /** Writes the charts and report.md; returns every file written, report last. */
  public List<Path> write() {
    Map<String, String> meta = Csv.readIfPresent(dir.resolve(MetaFile.NAME)).map(Csv::asMap).orElse(Map.of());
    ReportContext context = new ReportContext(dir, meta);
    List<String> parts = new ArrayList<>();
    for (ReportSection section : SECTIONS) {
      if (GridSection.present(context) && section instanceof PlacementSection) {
        section = new GridSection.Measured(); // a grid run's E4/E5 replace the single-run ones
      } else if (GridSection.present(context) && section instanceof PredictionSection) {
        section = new GridSection.Predicted();
      }
      parts.add(render(section, context));
    }
    String md = "# edgepipe experiments" + (meta.containsKey("date") ? " — " + meta.get("date") : "") + "\n\n"
        + settings(meta) + '\n' + String.join("\n", parts);
    Path report = dir.resolve(REPORT);
    try {
      Files.writeString(report, md);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + report, e);
    }
    List<Path> written = new ArrayList<>(context.written());
    written.add(report);
    return List.copyOf(written);
  }

  /** One section; a failure (bad CSV, chart error) becomes a line in the report, not a lost report. */
  private static String render(ReportSection section, ReportContext context) {
    try {
      return section.render(context);
    } catch (RuntimeException e) {
      return "## " + section.id() + "\n\n_The report of " + section.id() + " could not be written: " + e + "_\n";
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
}
