package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.experiments.ModelCutExperiment.CutColumn;
import io.edgepipe.experiments.ModelCutRecompute.RevisedColumn;
import io.edgepipe.harness.report.Table;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep's folder rebuilt from its saved profile: new predictions, the measured cells and the first predictions kept. */
class ModelCutRecomputeTest {

  private static Profile profile() {
    ProfileBuilder b = ToyCutProfile.builder(0.5, 0.5, 0.5);
    b.addLink(LinkClass.EDGE_SERVER, 1e9, 0);
    return b.build();
  }

  /** A CSV as an older sweep wrote it: no CPU columns, every prediction 1 fps and 1 ms. */
  private static void sweep(Path dir) throws Exception {
    String[] header = {"model", "link", "cut", "bytes_up", "placement", "rule", "pred_rank", "pred_fps", "meas_fps",
        "fps_error_pct", "pred_latency_ms", "meas_p50_ms", "latency_error_pct", "window_frames", "window_s",
        "paced_fps", "paced_frames", "foreign_frames"};
    Table t = new Table(header);
    for (String link : List.of("1gbit", "10mbit")) {
      for (int cut = 0; cut <= 3; cut++) {
        t.row("toy", link, cut, 0, "ES", "-", 4 - cut, 1.0, "50.5", 0.0, 1.0, "12.25", 0.0, 30, 0.6, 25.0, 3, 0);
      }
    }
    t.writeCsv(dir.resolve("toy-cuts.csv"));
    Files.writeString(dir.resolve("toy-report.md"), "# toy\n\nMethod: 3 layers, swept on the testbed.\n\nold body\n");
    profile().write(dir.resolve("toy-profile.json"));
  }

  @Test
  void rewritesThePredictionsFromTheSavedProfileAndKeepsWhatWasMeasured(@TempDir Path dir) throws Exception {
    sweep(dir);
    PrintStream log = new PrintStream(new ByteArrayOutputStream());
    String md = Files.readString(ModelCutRecompute.run(dir, "toy", 0.5, 2, log));
    Csv csv = Csv.read(dir.resolve("toy-cuts.csv"));
    assertEquals(8, csv.rows().size());
    for (Map<String, String> r : csv.rows()) {
      int cut = (int) num(r, CutColumn.CUT);
      CutPlanner.CutPrediction p = ModelCutExperiment.plan(profile(), str(r, CutColumn.LINK), 0.5, 2).singles()
          .get(cut);
      assertEquals(p.fps(), num(r, CutColumn.PRED_FPS), p.fps() * 0.01);
      assertEquals(p.latencyMs(), num(r, CutColumn.PRED_LATENCY_MS), p.latencyMs() * 0.01);
      assertEquals(p.bytesUp(), (long) num(r, CutColumn.BYTES_UP));
      assertEquals((p.fps() - 50.5) / 50.5 * 100, num(r, CutColumn.FPS_ERROR_PCT), 1);
      // measured cells byte for byte; the first predictions kept; columns the old sweep lacked are "-"
      assertEquals("50.5", str(r, CutColumn.MEAS_FPS));
      assertEquals("12.25", str(r, CutColumn.MEAS_P50_MS));
      assertEquals(1.0, num(r, RevisedColumn.FIRST_PRED_FPS));
      assertEquals(4 - cut, (int) num(r, RevisedColumn.FIRST_PRED_RANK));
      assertEquals("-", str(r, CutColumn.MEAS_EDGE_CPU_MS));
    }
    assertTrue(md.contains("Method: 3 layers, swept on the testbed. Predictions recomputed from the saved profile"), md);
    assertTrue(md.contains("## The model was revised after these measurements"), md);
    // every prediction before was 1 fps against 50.5 measured: -98%, none within 15%
    assertTrue(md.contains("| 1gbit | 0 -> "), md);
    assertTrue(md.contains("| -98% -> "), md);
    assertFalse(md.contains("old body"));
    assertTrue(Files.exists(dir.resolve("toy-fps-per-cut-1gbit.png")) && Files.exists(dir.resolve("toy-fps-per-cut-10mbit.png")));

    // again: the first predictions stay those measured beside, and the method's note is not repeated
    String again = Files.readString(ModelCutRecompute.run(dir, "toy", 0.5, 2, log));
    for (Map<String, String> r : Csv.read(dir.resolve("toy-cuts.csv")).rows()) {
      assertEquals(1.0, num(r, RevisedColumn.FIRST_PRED_FPS));
    }
    assertEquals(again.indexOf(ModelCutRecompute.NOTE), again.lastIndexOf(ModelCutRecompute.NOTE));
  }

  @Test
  void aFolderWithoutASweepIsOneLine(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelCutRecompute.run(dir, "toy", 0.5, 2, System.out));
    assertTrue(e.getMessage().startsWith("no " + dir.resolve("toy-cuts.csv")), e.getMessage());
  }
}
