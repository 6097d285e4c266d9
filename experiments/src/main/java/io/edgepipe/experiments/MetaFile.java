package io.edgepipe.experiments;

import io.edgepipe.harness.report.Table;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code meta.csv}: the run's settings and notes as key,value rows. A run with {@code --only}
 * into an existing folder keeps the other experiments' notes and replaces its own.
 */
public final class MetaFile {
  static final String NAME = "meta.csv";

  private MetaFile() {}

  public static void merge(Path dir, Map<String, String> notes) {
    Path file = dir.resolve(NAME);
    Map<String, String> all = new LinkedHashMap<>(Csv.readIfPresent(file).map(Csv::asMap).orElse(Map.of()));
    all.putAll(notes);
    Table t = new Table("key", "value");
    all.forEach(t::row);
    t.writeCsv(file);
  }
}
