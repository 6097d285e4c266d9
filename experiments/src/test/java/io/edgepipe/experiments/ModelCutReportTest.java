package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.experiments.ModelCutExperiment.CutColumn;
import io.edgepipe.harness.report.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model-cuts report from its CSV alone: best cuts, naive rules, where the best moves, errors. */
class ModelCutReportTest {
  @Test
  void namesThePredictedAndMeasuredBestAgainstTheNaiveRules(@TempDir Path dir) throws Exception {
    Table t = CsvColumn.table(CutColumn.values());
    // link, cut, bytes, rule, rank, predicted fps, measured fps
    Object[][] cells = {
        {"1gbit", 0, 1000, "all-server", 2, 90.0, 80.0}, {"1gbit", 5, 500, "-", 1, 100.0, 60.0},
        {"1gbit", 9, 10, "fewest-bytes", 3, 45.0, 30.0},
        {"10mbit", 0, 1000, "all-server", 3, 30.0, 20.0}, {"10mbit", 5, 500, "-", 2, 50.0, 45.0},
        {"10mbit", 9, 10, "fewest-bytes", 1, 60.0, 50.0}};
    for (Object[] c : cells) {
      double pred = (double) c[5];
      double meas = (double) c[6];
      t.row("m", c[0], c[1], c[2], "EES", c[3], c[4], pred, meas, ModelCutExperiment.error(pred, meas), 10.0, 12.0,
          ModelCutExperiment.error(10, 12), 20, 1.0, meas / 2, 5, 0, 5.0, 4.5, 2.0, 3.0);
    }
    t.writeCsv(dir.resolve("m-cuts.csv"));
    String md = Files.readString(ModelCutReport.write(dir, "m", "test"));
    // 1 Gbit: predicted cut 5 (60 fps) against measured best cut 0 (80): 75%, second of three, loses to all-server
    assertTrue(md.contains("| 1gbit | 5 (100.0) | 60.0 | 75% | 2 of 3 | 0 (80.0) | 80.0 | 9 (30.0) | no | "
        + "all-server x0.75 (loses); fewest bytes x2.00 (wins) |"), md);
    // 10 Mbit: predicted = measured best = the fewest-bytes cut
    assertTrue(md.contains("| 10mbit | 9 (60.0) | 50.0 | 100% | 1 of 3 | 9 (50.0) |"), md);
    assertTrue(md.contains("- measured: 1gbit: cut 0 (1 cut(s) within 10%: [0]) -> 10mbit: cut 9 (2 cut(s) within "
        + "10%: [5, 9])"), md);
    assertTrue(md.contains("- predicted: 1gbit: cut 5 -> 10mbit: cut 9"), md);
    // errors at 1 Gbit: +12.5%, +66.7%, +50%: mean 43%, median +50%, one within 15%
    assertTrue(md.contains("| 1gbit | 3 | 43% | +50% | 1 of 3 |"), md);
    // per cut: the edge's CPU per frame at the first link, predicted / measured
    assertTrue(md.contains("| 0 | 1000 | all-server | 5.00 / 4.50 | 90.0 / 80.0 |"), md);
    assertTrue(Files.exists(dir.resolve("m-fps-per-cut.png")) && Files.exists(dir.resolve("m-fps-error-per-cut.png")));
  }
}
