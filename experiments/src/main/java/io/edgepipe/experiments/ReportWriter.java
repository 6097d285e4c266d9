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
      new PlacementSection(), new PredictionSection(), new FlowCapacitySection(), new AdaptiveSection(), new LinkCodecSection());

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
      String part = render(section, context);
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    String md = "# edgepipe experiments" + (meta.containsKey("date") ? " — " + meta.get("date") : "") + "\n\n"
        + settings(meta, held(context)) + '\n' + String.join("\n", parts);
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

  /** Which experiments this folder holds results of (from the files present, whatever meta.csv says). */
  static String held(ReportContext c) {
    List<String> ids = new ArrayList<>();
    String[][] files = {{"E1", LatencyExperiment.E1_CSV}, {"E2", LatencyExperiment.E2_CSV}, {"E3", ThroughputExperiment.CSV},
        {"E4", GridExperiment.RUNS_CSV, PlacementExperiment.E4_CSV}, {"E5", GridExperiment.POINTS_CSV,
        PlacementExperiment.E5_CSV}, {"E6", FlowCapacityExperiment.CSV}, {"E7", AdaptiveExperiment.CSV},
        {"codecs on the link", LinkCodecExperiment.CSV}};
    for (String[] f : files) {
      for (int i = 1; i < f.length; i++) {
        if (c.csv(f[i]).map(x -> !x.isEmpty()).orElse(false)) {
          ids.add(f[0]);
          break;
        }
      }
    }
    return String.join(", ", ids);
  }

  private static String settings(Map<String, String> meta, String held) {
    if (meta.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("Settings of the latest run into this folder (a folder can collect runs of "
        + "several days: each `ran_*` row says when the experiments it names were last run, and from which commit):"
        + "\n\n| key | value |\n|---|---|\n");
    sb.append("| experiments held | ").append(held.isEmpty() ? "none" : held).append(" |\n");
    meta.forEach((k, v) -> {
      if (!k.startsWith("e3_wall_s_")) {
        sb.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
      }
    });
    return sb.toString();
  }
}
