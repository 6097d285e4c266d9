package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** E5's grid reading: the model now and the model before, counted against the same aims. */
class GridReportTest {
  static final String POINTS = """
      side,edge_cpu,link,placement,repeats,fps,fps_min,fps_max,lat_p50_ms,lat_min,lat_max,pred_fps,pred_latency_ms,pred_limit,fps_err_pct,lat_err_pct,old_pred_fps,old_fps_err_pct,old_pred_latency_ms,old_lat_err_pct
      256,0.25,1gbit,ESSS,3,100,90,110,3.0,2.8,3.2,110,3.3,edge CPU,+10.0,+10.0,300,+200.0,3.6,+20.0
      256,0.25,1gbit,EEEE,3,30,25,35,4.0,3.5,4.5,24,5.2,edge CPU,-20.0,+30.0,60,+100.0,6.0,+50.0
      256,0.25,1gbit,EESS,3,50,45,55,5.0,4.0,6.0,52,5.5,edge CPU,+4.0,+10.0,100,+100.0,7.0,+40.0
      """;

  @Test
  void countsTheNewAndTheOldModelAgainstTheAims() {
    Csv c = Csv.parse(POINTS);
    assertArrayEquals(new int[] {2, 3}, GridSection.Predicted.within(c, GridExperiment.PointColumn.FPS_ERR_PCT, 15));
    assertArrayEquals(new int[] {0, 3}, GridSection.Predicted.within(c, GridExperiment.PointColumn.OLD_FPS_ERR_PCT, 15));
    assertEquals(100, GridSection.Predicted.medianAbs(c, GridExperiment.PointColumn.OLD_FPS_ERR_PCT), 1e-9);
    String reading = GridSection.Predicted.read(c, null, Map.of());
    assertTrue(reading.contains("within 15% of the measured median in 2 of 3"), reading);
    assertTrue(reading.contains("The model before (old_*, see the profile line): fps within 15% in 0 of 3, "
        + "latency within 25% in 1 of 3; median |error| fps 100% before, 10% now"), reading);
  }

  @Test
  void aRunWithoutTheOldColumnsSaysNothingOfThem() {
    String csv = POINTS.lines().map(l -> l.substring(0, l.indexOf(",old_") >= 0 ? l.indexOf(",old_")
        : nthComma(l, 16))).reduce("", (a, b) -> a + b + "\n");
    String reading = GridSection.Predicted.read(Csv.parse(csv), null, Map.of());
    assertTrue(!reading.contains("model before"), reading);
  }

  private static int nthComma(String line, int n) {
    int at = -1;
    for (int i = 0; i < n; i++) {
      at = line.indexOf(',', at + 1);
    }
    return at;
  }

  @Test
  void theAllEdgeChainsPointsOverTheLinksShowTheNoiseOfOneCondition() {
    String csv = POINTS.lines().findFirst().orElseThrow() + "\n" + """
        256,0.5,10mbit,EEEE,3,100,90,110,3,3,3,110,3,edge CPU,+10.0,+0.0,100,+0.0,3,+0.0
        256,0.5,100mbit,EEEE,3,120,100,130,3,3,3,110,3,edge CPU,-8.3,+0.0,100,+0.0,3,+0.0
        256,0.5,1gbit,EEEE,3,80,70,90,3,3,3,110,3,edge CPU,+37.5,+0.0,100,+0.0,3,+0.0
        256,0.5,1gbit,ESSS,3,500,400,600,3,3,3,110,3,edge CPU,+0.0,+0.0,100,+0.0,3,+0.0
        """;
    String noise = GridSection.Predicted.sameCondition(Csv.parse(csv));
    // 80, 100, 120: 50% apart; 80 is 20% under the median 100, 120 20% over it
    assertTrue(noise.contains("256x256 cpu 0.5 50%") && noise.contains("1 of 3 lie within 15%"), noise);
  }

  @Test
  void theRepeatsSpreadCapsWhatAnyModelCouldGetWithinTheAim() {
    assertEquals(0.975, GridSection.Predicted.normalCdf(1.96), 1e-4);
    assertEquals(0.5, GridSection.Predicted.medianOfThreeCdf(0), 1e-9);
    String header = POINTS.lines().findFirst().orElseThrow() + "\n";
    // three equal repeats: the median is the rate, whatever the model; repeats 50, 100, 150 (sd 50): the median of
    // three lies within 15% of 100 (87-118) only about a third of the time
    Csv steady = Csv.parse(header + "256,0.5,1gbit,EEEE,3,100,100,100,3,3,3,110,3,edge CPU,+10.0,+0.0,100,+0.0,3,+0.0\n");
    assertEquals(1, GridSection.Predicted.repeatCeiling(steady), 1e-9);
    Csv wide = Csv.parse(header + "256,0.5,1gbit,EEEE,3,100,50,150,3,3,3,110,3,edge CPU,+10.0,+0.0,100,+0.0,3,+0.0\n");
    double p = GridSection.Predicted.repeatCeiling(wide);
    double expected = GridSection.Predicted.medianOfThreeCdf(100 / 0.85 / 50 - 2)
        - GridSection.Predicted.medianOfThreeCdf(100 / 1.15 / 50 - 2);
    assertEquals(expected, p, 1e-9);
    assertTrue(p > 0.3 && p < 0.45, "" + p);
    String line = GridSection.Predicted.repeatNoise(Csv.parse(POINTS));
    // the three points of POINTS each spread 20-33% of their median: none over 30% but EEEE's (25-35: 33%)
    assertTrue(line.contains("of 3 points; in 1 points the repeats lie more than 30% of the median apart"), line);
  }
}
