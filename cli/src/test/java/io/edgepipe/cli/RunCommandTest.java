package io.edgepipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import io.edgepipe.cli.CliRunner.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `pipeline run` command as a user types it. */
class RunCommandTest {
  @TempDir
  Path tmp;


  @Test
  void runPrintsTheSummaryTablesAndWritesCsv() throws Exception {
    Outcome r = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--frames", "8", "--flows", "2",
        "--width", "64", "--height", "48", "--device", "cpu", "--no-progress", "--results", tmp.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("lat_p99_ms"), r.out());
    assertTrue(r.out().matches("(?s).*embedded/reliable\\s+16\\s+16\\s+0\\s+0\\s+0.*"), r.out());
    for (String stage : new String[] {"producer", "conv", "relu", "maxpool", "sink"}) {
      assertTrue(r.out().contains("\n" + stage + " "), "phase row for " + stage + ":\n" + r.out());
    }
    try (Stream<Path> files = Files.list(tmp)) {
      Path csv = files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
      String text = Files.readString(csv);
      assertTrue(text.startsWith("row,mode,spec,input_size,"), text);
      assertTrue(text.contains("conv_process_ms"), text);
    }
  }

  @Test
  void monolithAndProcessesModesRun() {
    Outcome mono = CliRunner.pipeline("run", "--spec", "../pipelines/cnn.yaml", "--monolith", "--frames", "4",
        "--width", "40", "--height", "30", "--device", "cpu", "--no-progress", "--results", tmp.toString());
    assertEquals(0, mono.code(), mono.out() + mono.err());
    assertTrue(mono.out().contains("monolith"), mono.out());

    Outcome procs = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--processes", "--frames", "6",
        "--width", "40", "--height", "30", "--device", "cpu", "--no-progress", "--results", tmp.toString());
    assertEquals(0, procs.code(), procs.out() + procs.err());
    assertTrue(procs.out().matches("(?s).*processes/reliable\\s+6\\s+6\\s+0\\s+0\\s+0.*"), procs.out());
  }

  @Test
  void aGeneratedVideoFileIsASource() throws Exception {
    Path video = tmp.resolve("clip.avi");
    io.edgepipe.producer.source.TestVideo.write(video, 12, 64, 48, 25);
    Outcome r = CliRunner.pipeline("run", "--spec", "../pipelines/cnn.yaml", "--source", "video:" + video, "--frames", "12",
        "--width", "64", "--height", "48", "--device", "cpu", "--no-progress", "--results", tmp.toString(),
        "--save-outputs", tmp.resolve("out").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().matches("(?s).*embedded/reliable\\s+12\\s+12\\s+0\\s+0\\s+0.*"), r.out());
    try (Stream<Path> outputs = Files.list(tmp.resolve("out"))) {
      assertEquals(12, outputs.filter(p -> p.toString().endsWith(".npy")).count(), "one output per frame");
    }
  }

  @Test
  void userErrorsAreOneLineWithExitCodeTwo() throws Exception {
    Outcome missing = CliRunner.pipeline("run", "--source", "video:/no/such/file.mp4", "--frames", "1", "--device", "cpu",
        "--no-progress", "--results", tmp.toString(), "--spec", "../pipelines/thesis.yaml");
    assertEquals(2, missing.code(), missing.err());
    assertTrue(missing.err().contains("/no/such/file.mp4"), missing.err());
    assertEquals(1, missing.err().strip().lines().count(), "one line: " + missing.err());

    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "input: {channels: 1, height: 8, width: 8}\nstages: [{kind: relu, colour: red}]\n");
    Outcome badSpec = CliRunner.pipeline("run", "--spec", bad.toString(), "--device", "cpu", "--no-progress");
    assertEquals(2, badSpec.code());
    assertTrue(badSpec.err().contains("stages[0].colour: unknown key"), badSpec.err());
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"run", "stage", "bench"}) {
      Outcome help = CliRunner.pipeline(sub, "--help");
      assertEquals(0, help.code());
    }
  }
}
