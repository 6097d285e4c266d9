package io.edgepipe.experiments;

/**
 * One experiment's part of {@code report.md}: its heading, charts, reading and tables, built
 * from the CSV files its experiment wrote (read through the experiment's {@link CsvColumn}s) and
 * the run's settings. {@link ReportWriter} only puts the sections in order.
 */
public interface ReportSection {
  /** Short name (E1, E2, ...) for the line that replaces a section that failed. */
  String id();

  /** The section's markdown, heading included; charts are written through {@code report}. */
  String render(ReportContext report);
}
