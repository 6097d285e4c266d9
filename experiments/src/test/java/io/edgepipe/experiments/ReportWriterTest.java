package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.harness.report.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ReportWriter on CSV files recorded from a quick run of the suite (2-core machine, no testbed),
 * plus a hand-made testbed folder for E4/E5: fast, no pipeline is run.
 */
class ReportWriterTest {
  static final String META = """
      key,value
      date,2026-11-22T20:36
      spec,pipelines/thesis.yaml (thesis)
      plan,quick
      cores,2
      testbed,no: run without --testbed
      e4_status,skipped
      e4_reason,run without --testbed (edge/server placements need the emulated testbed)
      e5_status,predictions only
      e5_profile,"compute measured in this process for the server tier; edge compute = server compute / 0.5"
      e6_where,embedded (4 services over loopback gRPC on this machine)
      e6_size,640x360
      e6_fps_per_flow,30.00
      e6_deadline_ms,100.0
      e6_late_tolerance_pct,1.00
      """;

  static final String E1 = """
      size,side,mode,frames,latency_mean_ms,latency_p50_ms,latency_p95_ms,compute_ms,communication_ms,other_ms
      128x128,128,monolith,10,1.03,0.155,8.67,1.00,0.031,0
      128x128,128,microservices,10,3.69,3.62,8.32,0.348,3.34,0
      256x256,256,monolith,10,8.16,6.19,23.74,8.03,0.130,0
      256x256,256,microservices,10,16.56,16.09,27.62,5.36,11.20,0
      512x512,512,monolith,10,8.51,4.50,28.63,8.39,0.121,0
      512x512,512,microservices,10,14.56,10.15,32.07,3.31,11.25,0
      1024x1024,1024,monolith,10,18.31,12.03,64.24,18.18,0.123,0.000
      1024x1024,1024,microservices,10,72.45,55.92,146.8,13.57,58.88,0
      """;

  static final String E2 = """
      size,side,stage,compute_ms,transfer_ms,ccr
      128x128,128,producer,0.017,1.01,60.96
      128x128,128,conv,0.156,0.648,4.17
      128x128,128,relu,0.090,1.21,13.38
      128x128,128,maxpool,0.085,0.475,5.56
      128x128,128,total,0.348,3.34,9.61
      256x256,256,producer,0.225,2.80,12.44
      256x256,256,conv,1.57,3.74,2.38
      256x256,256,relu,3.21,2.42,0.752
      256x256,256,maxpool,0.352,2.25,6.39
      256x256,256,total,5.36,11.20,2.09
      512x512,512,producer,0.775,1.19,1.53
      512x512,512,conv,1.44,5.37,3.73
      512x512,512,relu,0.469,3.15,6.73
      512x512,512,maxpool,0.629,1.53,2.44
      512x512,512,total,3.31,11.25,3.39
      1024x1024,1024,producer,0.764,3.80,4.98
      1024x1024,1024,conv,4.47,20.61,4.61
      1024x1024,1024,relu,4.54,23.07,5.09
      1024x1024,1024,maxpool,3.80,11.40,3.00
      1024x1024,1024,total,13.57,58.88,4.34
      """;

  static final String E3 = """
      variant,stages,services,frames,delivered,fps,change_vs_monolith_pct,cpu_ms_per_frame,cpu_bound_fps,slowest_service,slowest_service_ms,lat_p50_ms,thesis_server_pct,thesis_edge_pct
      monolith,1,producer+conv+relu+maxpool (one process),200,200,118.3,-,11.05,181.0,-,-,5.56,-,-
      2-stage,2,producer | conv+relu+maxpool,200,200,54.19,-54.2,25.80,77.52,conv+relu+maxpool,14.85,492.1,-,-
      3-stage,3,producer | conv | relu+maxpool,200,200,28.62,-75.8,22.20,90.09,relu+maxpool,24.53,827.2,-,-
      3-stage,3,producer | conv+relu | maxpool,200,200,32.07,-72.9,21.85,91.53,conv+relu,21.67,665.1,-,-
      4-stage,4,producer | conv | relu | maxpool,200,200,35.02,-70.4,22.90,87.34,conv,9.26,885.7,76.58,103.9
      """;

  static final String E5_PREDICTED = """
      bandwidth,size,side,placement,pred_latency_ms,pred_fps,pred_bottleneck,meas_latency_ms,meas_fps,latency_err_pct,fps_err_pct
      1gbit,512x512,512,SSSS,38.49,46.26,conv,-,-,-,-
      1gbit,512x512,512,ESSS,41.52,47.45,conv,-,-,-,-
      1gbit,512x512,512,EESS,49.92,31.10,conv,-,-,-,-
      1gbit,512x512,512,EEES,56.64,38.58,conv,-,-,-,-
      1gbit,512x512,512,EEEE,52.60,35.62,conv,-,-,-,-
      100mbit,512x512,512,SSSS,38.49,46.26,conv,-,-,-,-
      100mbit,512x512,512,ESSS,79.27,42.14,maxpool,-,-,-,-
      100mbit,512x512,512,EESS,144.3,9.29,conv,-,-,-,-
      100mbit,512x512,512,EEES,151.0,10.08,relu,-,-,-,-
      100mbit,512x512,512,EEEE,52.60,35.62,conv,-,-,-,-
      """;

  static final String E5_BEST_PREDICTED = """
      bandwidth,size,objective,predicted_best,measured_best,match
      1gbit,512x512,throughput,ESSS,-,-
      1gbit,512x512,latency,SSSS,-,-
      100mbit,512x512,throughput,SSSS,-,-
      100mbit,512x512,latency,SSSS,-,-
      """;

  static final String E6 = """
      flows,offered_fps,delivered_fps,frames,delivered,dropped,late,late_pct,lat_p50_ms,lat_p95_ms,lat_p99_ms,carried
      1,30.00,30.14,90,90,0,0,0,11.78,24.86,32.54,yes
      2,60.00,60.32,180,180,0,26,17.33,15.21,280.7,357.4,no
      """;

  @TempDir
  Path dir;

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  private void recordedRun() throws IOException {
    write("meta.csv", META);
    write(LatencyExperiment.E1_CSV, E1);
    write(LatencyExperiment.E2_CSV, E2);
    write(ThroughputExperiment.CSV, E3);
    write(PlacementExperiment.E4_CSV, "bandwidth,size,side,placement,frames,delivered,fps,lat_mean_ms,lat_p50_ms,lat_p95_ms,lost\n");
    write(PlacementExperiment.E5_CSV, E5_PREDICTED);
    write(PlacementExperiment.E5_BEST_CSV, E5_BEST_PREDICTED);
    write(FlowCapacityExperiment.CSV, E6);
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
  void latencyReadingComparesWithTheThesis() {
    String r = ReportWriter.readE1(Csv.parse(E1));
    assertTrue(r.startsWith("Four microservices add 2.66 ms per frame to the monolith at 128x128 (3.6x its latency)"), r);
    assertTrue(r.contains("54.14 ms at 1024x1024"), r);
    assertTrue(r.contains("communication grows 17.6x and compute 39.0x"), r);
    assertTrue(r.contains("Thesis (fig. 4.3 server, 4.6 Xavier)"), r);
    // recorded: compute -25% at 1024 (not "about the same"), communication 17.6x vs compute 39x
    assertTrue(r.contains("compute does not stay the same (-25%"), r);
    assertTrue(r.contains("communication grows more slowly than compute, as there."), r);
  }

  @Test
  void ccrReadingSaysWhereItCrossesOneAgainstTheThesis() {
    String above = ReportWriter.readE2(Csv.parse(E2));
    assertTrue(above.contains("stays above 1 at every size (thesis: below 1 at 512x512)"), above);
    assertTrue(above.contains("at 1024x1024 it is 4.34"), above);
    assertTrue(above.contains("highest per-stage CCR at 1024x1024 is relu's"), above);
    assertTrue(above.contains("Why ours stays higher"), above);

    String falling = """
        size,side,stage,compute_ms,transfer_ms,ccr
        128x128,128,total,1,3,3.00
        256x256,256,total,4,5,1.25
        512x512,512,total,16,8,0.500
        1024x1024,1024,total,64,20,0.312
        """;
    String r = ReportWriter.readE2(Csv.parse(falling));
    assertTrue(r.contains("It falls as the frame grows and is below 1 from 512x512 on (thesis: below 1 at 512x512, "
        + "the same size)"), r);
    assertTrue(r.contains("at 1024x1024 it is 0.312 (thesis at 1024x1024: far below 0.5, as here)"), r);
  }

  @Test
  void throughputReadingGivesTheChangeAndTheThesisFigures() {
    String r = ReportWriter.readE3(Csv.parse(E3), Map.of("cores", "2"));
    assertTrue(r.contains("The monolith streams 118.3 fps; the 4-stage pipeline 35.02 fps (-70.4%)"), r);
    assertTrue(r.contains("the best pipeline here is 2-stage (producer | conv+relu+maxpool, 54.19 fps, -54.2%)"), r);
    assertTrue(r.contains("+76.58% on its server and +103.94% on the Xavier"), r);
    assertTrue(r.contains("this machine has 2 cores"), r);
    assertTrue(r.contains("22.90 ms of CPU per frame against the monolith's 11.05"), r);
  }

  @Test
  void flowCapacityIsTheLastCountCarriedWithEverySmallerOne() {
    assertEquals(1, ReportWriter.capacity(Csv.parse(E6)));
    assertEquals(0, ReportWriter.capacity(Csv.parse("flows,carried\n1,no\n2,yes\n")));
    assertEquals(3, ReportWriter.capacity(Csv.parse("flows,carried\n1,yes\n2,yes\n3,yes\n4,no\n6,yes\n")));
    String r = ReportWriter.readE6(Csv.parse(E6), Csv.parse(META).asMap());
    assertTrue(r.startsWith("Flow capacity: 1 flow(s) of 640x360 at 30.00 fps, embedded (4 services"), r);
    assertTrue(r.contains("At 2 flows it breaks: 17.33% late (p95 280.7 ms)"), r);
    assertTrue(r.contains("dual-plane"), r);
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

  @Test
  void csvReadsWhatTableWrites() throws IOException {
    Table t = new Table("key", "value").row("where", "embedded (4 services, loopback \"gRPC\")").row("n", 1.5);
    Path file = dir.resolve("t.csv");
    t.writeCsv(file);
    Csv c = Csv.read(file);
    assertEquals(List.of("key", "value"), c.header());
    assertEquals("embedded (4 services, loopback \"gRPC\")", c.asMap().get("where"));
    assertEquals(1.5, Csv.num(c.rows().get(1), "value"));
    assertTrue(Double.isNaN(Csv.num(Map.of("x", "-"), "x")));
    assertEquals(-70.4, Csv.num(Map.of("x", "-70.4"), "x"));
    assertEquals(12.0, Csv.num(Map.of("x", "+12.0%"), "x"));
  }
}
