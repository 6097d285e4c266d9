package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.str;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * What a {@link ReportSection} works with: the experiments folder, the run's settings
 * ({@code meta.csv}), and the files written so far (charts); plus the markdown pieces every
 * section uses (a chart reference, a reading, a table, a missing-file line).
 */
public final class ReportContext {
  private final Path dir;
  private final Map<String, String> meta;
  private final List<Path> written = new ArrayList<>();

  ReportContext(Path dir, Map<String, String> meta) {
    this.dir = dir;
    this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
  }

  /** The run's settings (key/value of {@code meta.csv}). */
  public Map<String, String> meta() {
    return meta;
  }

  /** A CSV file of the folder, if it was written. */
  public Optional<Csv> csv(String file) {
    return Csv.readIfPresent(dir.resolve(file));
  }

  /** Writes {@code chart} as {@code file} (PNG) and returns the markdown that shows it. */
  public String image(Chart<?, ?> chart, String file, String alt) {
    Path png = dir.resolve(file);
    Charts.png(chart, png);
    written.add(png);
    return "![" + alt + "](" + file + ")\n\n";
  }

  /** Files written so far, in order. */
  List<Path> written() {
    return List.copyOf(written);
  }

  public static String reading(String text) {
    return "**Reading.** " + text + "\n\n";
  }

  public static String missing(String file) {
    return "_No data: " + file + " was not written (experiment not run)._\n";
  }

  /** Selected columns of a CSV as a markdown table (columns it lacks, as in an older run, are left out). */
  public static String table(Csv c, CsvColumn... columns) {
    List<String> cols = new ArrayList<>();
    for (CsvColumn col : columns) {
      if (c.header().contains(col.header())) {
        cols.add(col.header());
      }
    }
    StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", cols)).append(" |\n|");
    cols.forEach(x -> sb.append("---|"));
    sb.append('\n');
    for (Map<String, String> r : c.rows()) {
      sb.append("| ").append(cols.stream().map(col -> str(r, col).replace("|", "\\|")).collect(Collectors.joining(" | ")))
          .append(" |\n");
    }
    return sb.toString();
  }

  /** A number as the tables print it. */
  public static String f(double v) {
    return io.edgepipe.harness.report.Table.format(v);
  }

  /** A square frame size, 512 -> 512x512. */
  static String size(int side) {
    return side + "x" + side;
  }
}
