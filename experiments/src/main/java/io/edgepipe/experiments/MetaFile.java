package io.edgepipe.experiments;

import io.edgepipe.harness.report.Table;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code meta.csv}: the run's settings and notes as key,value rows. A run with {@code --only}
 * into an existing folder keeps the other experiments' notes and replaces its own; the settings
 * every run writes (date, commit, load) are the latest run's, so each run also leaves a
 * {@code ran_<experiments>} row of its own ({@link #withRunRow}).
 */
public final class MetaFile {
  static final String NAME = "meta.csv";

  private MetaFile() {}

  /**
   * {@code notes} with a row that says when the given experiments ran, from which commit, how long
   * and at what load: e.g. {@code ran_e1_e3 = 2026-12-07T14:19 at 8436d38, 0.669 min, load average
   * 1.02 1.73 2.64 -> 1.76 1.81 2.63}, read from the run's own date, commit, suite_minutes,
   * loadavg_start, loadavg_end and testbed notes.
   */
  public static Map<String, String> withRunRow(Map<String, String> notes, Collection<String> experiments) {
    Map<String, String> out = new LinkedHashMap<>(notes);
    out.put("ran_" + String.join("_", experiments).toLowerCase(Locale.ROOT), notes.get("date") + " at "
        + notes.get("commit") + ", " + notes.get("suite_minutes") + " min, load average " + notes.get("loadavg_start")
        + " -> " + notes.get("loadavg_end") + (notes.getOrDefault("testbed", "").startsWith("yes") ? ", testbed" : ""));
    return out;
  }

  public static void merge(Path dir, Map<String, String> notes) {
    Path file = dir.resolve(NAME);
    Map<String, String> all = new LinkedHashMap<>(Csv.readIfPresent(file).map(Csv::asMap).orElse(Map.of()));
    all.putAll(notes);
    Table t = new Table("key", "value");
    all.forEach(t::row);
    t.writeCsv(file);
  }
}
