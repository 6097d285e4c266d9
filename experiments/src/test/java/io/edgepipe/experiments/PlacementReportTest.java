package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** E4's and E5's sections: their readings on a hand-made testbed run. */
class PlacementReportTest {
  static final String E4 = """
      bandwidth,size,side,placement,frames,delivered,fps,lat_mean_ms,lat_p50_ms,lat_p95_ms,lost
      1gbit,256x256,256,SSSS,60,60,100.0,10.0,9.0,12.0,0
      1gbit,256x256,256,EEES,60,60,30.0,30.0,29.0,33.0,0
      1gbit,256x256,256,EEEE,60,60,25.0,33.0,31.0,36.0,0
      """;

  static final String E5 = """
      bandwidth,size,side,placement,pred_latency_ms,pred_fps,pred_bottleneck,meas_latency_ms,meas_fps,latency_err_pct,fps_err_pct
      1gbit,256x256,256,SSSS,11.0,110.0,conv,10.0,100.0,+10.0,+10.0
      1gbit,256x256,256,ESSS,9.0,120.0,conv,12.0,80.0,-25.0,+50.0
      """;

  static final String BEST = """
      bandwidth,size,objective,predicted_best,measured_best,match
      1gbit,256x256,throughput,SSSS,SSSS,yes
      1gbit,256x256,latency,ESSS,SSSS,no
      """;

  @Test
  void placementReadingNamesTheBestPerSizeAndComparesEeesWithEeee() {
    String r = PlacementSection.read(Csv.parse(E4), "1gbit");
    assertEquals("At 1gbit: 256x256 most fps SSSS (100.0), least median latency SSSS (9.00 ms). EEES latency vs EEEE: "
        + "256x256 -6% (thesis: EEES and EEEE about the same at every size, since the edge-server hop cost little "
        + "more than an edge-edge one).", r);
  }

  @Test
  void predictionReadingCountsCasesWithinTheAimAndBestPlacementHits() {
    String r = PredictionSection.read(Csv.parse(E5), Csv.parse(BEST), java.util.Map.of());
    assertTrue(r.startsWith("Throughput predicted within 15% (the aim) in 1 of 2 cases. "), r);
    assertTrue(r.contains("Mean absolute error: latency 17.50%, throughput 30.00% (worst fps: ESSS at 256x256, 1gbit: "
        + "predicted 120.0, measured 80.00)"), r);
    assertTrue(r.contains("The predicted best placement for throughput is the measured best in 1 of 1 cases."), r);
    assertTrue(r.contains("The predicted best placement for latency is the measured best in 0 of 1 cases."), r);
  }

  @Test
  void predictionsOnlySayNothingWasMeasuredAndWhy() {
    String r = PredictionSection.read(Csv.parse(RecordedRun.E5_PREDICTED), Csv.parse(RecordedRun.E5_BEST_PREDICTED),
        Csv.parse(RecordedRun.META).asMap());
    assertTrue(r.startsWith("Predictions only: nothing was measured to check them against (E4 skipped: run without "
        + "--testbed"), r);
    assertTrue(r.contains("Predicted best for throughput: 1gbit 512x512 -> ESSS, 100mbit 512x512 -> SSSS."), r);
  }
}
