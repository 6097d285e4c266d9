package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ReportWriter putting the sections together: on the recorded quick run ({@link RecordedRun}),
 * on a hand-made testbed folder for E4/E5, and on the run kept in {@code results/}: fast, no
 * pipeline is run. Each section's reading has its own test next to it (LatencyReportTest, ...).
 */
class ReportWriterTest {
  @TempDir
  Path dir;

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  private void recordedRun() throws IOException {
    RecordedRun.write(dir);
  }
  private static void assertPng(Path file) throws IOException {
    assertTrue(Files.isRegularFile(file), file + " missing");
    byte[] head = Arrays.copyOf(Files.readAllBytes(file), 8);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, file + " is not a PNG");
  }

  @Test
  void writesReportWithAChartAndAReadingPerExperiment() throws IOException {
    recordedRun();
    List<Path> files = new ReportWriter(dir).write();

    String md = Files.readString(dir.resolve(ReportWriter.REPORT));
    for (String png : List.of("e1_latency.png", "e2_ccr.png", "e3_throughput.png", "e5_pred_fps_1gbit.png",
        "e5_pred_fps_100mbit.png", "e6_flows.png")) {
      assertPng(dir.resolve(png));
      assertTrue(md.contains("](" + png + ")"), "report shows " + png);
      assertTrue(files.contains(dir.resolve(png)));
    }
    assertEquals(dir.resolve(ReportWriter.REPORT), files.get(files.size() - 1));
    for (String heading : List.of("## E1", "## E2", "## E3", "## E4", "## E5", "## E6")) {
      assertTrue(md.contains(heading), heading);
    }
    // every chart is followed by its reading
    assertEquals(5, md.split("\\*\\*Reading\\.\\*\\*", -1).length - 1, "a reading under each chart (E4 skipped)");
    assertFalse(md.contains("could not be written"), md);
    // the skipped experiment says why; the table of settings is there
    assertTrue(md.contains("**Skipped**: run without --testbed"));
    assertTrue(md.contains("| cores | 2 |"));
  }

  @Test
  void predictionsAreCheckedAgainstTestbedMeasurements() throws IOException {
    write("meta.csv", "key,value\ne4_status,measured\ne5_status,predicted and measured\n");
    write(PlacementExperiment.E4_CSV, """
        bandwidth,size,side,placement,frames,delivered,fps,lat_mean_ms,lat_p50_ms,lat_p95_ms,lost
        1gbit,256x256,256,SSSS,60,60,100.0,10.0,9.0,12.0,0
        1gbit,256x256,256,ESSS,60,60,80.0,12.0,11.0,14.0,0
        1gbit,256x256,256,EESS,60,60,40.0,20.0,19.0,25.0,0
        1gbit,256x256,256,EEES,60,60,30.0,30.0,29.0,33.0,0
        1gbit,256x256,256,EEEE,60,60,25.0,33.0,31.0,36.0,0
        """);
    write(PlacementExperiment.E5_CSV, """
        bandwidth,size,side,placement,pred_latency_ms,pred_fps,pred_bottleneck,meas_latency_ms,meas_fps,latency_err_pct,fps_err_pct
        1gbit,256x256,256,SSSS,11.0,110.0,conv,10.0,100.0,+10.0,+10.0
        1gbit,256x256,256,ESSS,9.0,120.0,conv,12.0,80.0,-25.0,+50.0
        1gbit,256x256,256,EESS,20.0,40.0,conv,20.0,40.0,+0.0,+0.0
        1gbit,256x256,256,EEES,30.0,30.0,relu,30.0,30.0,+0.0,+0.0
        1gbit,256x256,256,EEEE,33.0,25.0,conv,33.0,25.0,+0.0,+0.0
        """);
    write(PlacementExperiment.E5_BEST_CSV, """
        bandwidth,size,objective,predicted_best,measured_best,match
        1gbit,256x256,throughput,ESSS,SSSS,no
        1gbit,256x256,latency,ESSS,SSSS,no
        """);
    new ReportWriter(dir).write();
    String md = Files.readString(dir.resolve(ReportWriter.REPORT));
    assertPng(dir.resolve("e4_latency_1gbit.png"));
    assertPng(dir.resolve("e4_fps_1gbit.png"));
    assertPng(dir.resolve("e5_fps.png"));
    assertPng(dir.resolve("e5_latency.png"));
    assertTrue(md.contains("256x256 most fps SSSS (100.0), least median latency SSSS (9.00 ms)"), md);
    assertTrue(md.contains("EEES latency vs EEEE: 256x256 -6%"), md);
    assertTrue(md.contains("Mean absolute error: latency 7.00%, throughput 12.00% (worst fps: ESSS at 256x256, 1gbit: "
        + "predicted 120.0, measured 80.00)"), md);
    assertTrue(md.contains("The predicted best placement for throughput is the measured best in 0 of 1 cases."), md);
    // E1-E3 and E6 were not run into this folder: said, not failed
    assertTrue(md.contains("_No data: e1_latency.csv was not written"), md);
    assertFalse(md.contains("could not be written"), md);
  }

  /** The run kept in the repository; the report must stay buildable from its CSV files. */
  static final Path KEPT = Path.of("..", "results", "2026-11-22-experiments");

  @Test
  void keptRunsFilesHaveTheColumnsTheExperimentsDeclare() {
    Map<String, CsvColumn[]> declared = Map.of(
        LatencyExperiment.E1_CSV, LatencyExperiment.LatencyColumn.values(),
        LatencyExperiment.E2_CSV, LatencyExperiment.CcrColumn.values(),
        ThroughputExperiment.CSV, ThroughputExperiment.Column.values(),
        PlacementExperiment.E4_CSV, PlacementExperiment.PlacementColumn.values(),
        PlacementExperiment.E5_CSV, PlacementExperiment.PredictionColumn.values(),
        PlacementExperiment.E5_BEST_CSV, PlacementExperiment.BestColumn.values(),
        PlacementExperiment.E5_SERVICE_CPU_CSV, PlacementExperiment.ServiceCpuColumn.values(),
        FlowCapacityExperiment.CSV, FlowCapacityExperiment.Column.values());
    // columns added since the kept run, at the end (its report reads them as absent): E3's rounds and ranges
    Map<String, Integer> addedSince = Map.of(ThroughputExperiment.CSV, 5);
    declared.forEach((file, columns) -> {
      List<String> headers = Stream.of(columns).map(CsvColumn::header).toList();
      assertEquals(headers.subList(0, headers.size() - addedSince.getOrDefault(file, 0)),
          Csv.read(KEPT.resolve(file)).header(), file);
    });
  }

  @Test
  void rebuildsTheKeptRunsReportFromItsCsvFiles() throws IOException {
    try (Stream<Path> files = Files.list(KEPT)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    List<Path> written = new ReportWriter(dir).write();

    String md = Files.readString(dir.resolve(ReportWriter.REPORT));
    assertFalse(md.contains("could not be written"), md);
    assertFalse(md.contains("_No data:"), md);
    for (String heading : List.of("## E1", "## E2", "## E3", "## E4", "## E5", "## E6")) {
      assertTrue(md.contains(heading), heading);
    }
    // the kept run measured E4 on the testbed: its charts and E5's predicted-vs-measured charts are drawn
    for (String png : List.of("e1_latency.png", "e2_ccr.png", "e3_throughput.png", "e4_fps_1gbit.png",
        "e4_latency_100mbit.png", "e5_fps.png", "e5_latency.png", "e6_flows.png")) {
      assertPng(dir.resolve(png));
      assertTrue(written.contains(dir.resolve(png)), png);
    }
    assertTrue(md.contains("| bandwidth | size | placement | frames | delivered | fps |"), "E4 table from its columns");
    assertTrue(md.contains("Service CPU the profile was built from"), "E5's third CSV is shown");
  }
}
