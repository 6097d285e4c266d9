package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meta.csv of a folder that collects several runs: the latest run's settings, every run's own row. */
class MetaFileTest {
  @TempDir
  Path dir;

  @Test
  void eachRunIntoAFolderLeavesARowThatTheNextRunKeeps() {
    MetaFile.merge(dir, MetaFile.withRunRow(run("2026-12-07T06:21", "c8e0aa9", "yes"), List.of("E5")));
    MetaFile.merge(dir, MetaFile.withRunRow(run("2026-12-07T14:19", "8436d38", "no: not asked"), List.of("E1", "E3")));

    Map<String, String> meta = Csv.read(dir.resolve(MetaFile.NAME)).asMap();
    assertEquals("2026-12-07T14:19", meta.get("date"), "the settings are the latest run's");
    assertEquals("2026-12-07T06:21 at c8e0aa9, 39.3 min, load average 1.30 -> 1.14, testbed", meta.get("ran_e5"));
    assertEquals("2026-12-07T14:19 at 8436d38, 39.3 min, load average 1.30 -> 1.14", meta.get("ran_e1_e3"));
  }

  private static Map<String, String> run(String date, String commit, String testbed) {
    return Map.of("date", date, "commit", commit, "suite_minutes", "39.3", "loadavg_start", "1.30",
        "loadavg_end", "1.14", "testbed", testbed);
  }
}
