package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.experiments.ThroughputExperiment.Measured;
import io.edgepipe.experiments.ThroughputExperiment.Variant;
import io.edgepipe.harness.report.Table;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** E3: the summary over rounds, and the section's reading on recorded runs with and without rounds. */
class ThroughputReportTest {
  private static final Variant MONOLITH = new Variant("monolith", List.of("conv", "relu"), null);
  private static final Variant SPLIT = new Variant("3-stage", List.of("conv", "relu"), List.of(List.of("conv"), List.of("relu")));

  @Test
  void throughputReadingGivesTheChangeAndTheThesisFigures() {
    String r = ThroughputSection.read(Csv.parse(RecordedRun.E3), Map.of("cores", "2"));
    assertTrue(r.contains("The monolith streams 118.3 fps; the 4-stage pipeline 35.02 fps (-70.4%)"), r);
    assertTrue(r.contains("the best pipeline here is 2-stage (producer | conv+relu+maxpool, 54.19 fps, -54.2%)"), r);
    assertTrue(r.contains("+76.58% on its server and +103.94% on the Xavier"), r);
    assertTrue(r.contains("this machine has 2 cores"), r);
    assertTrue(r.contains("22.90 ms of CPU per frame against the monolith's 11.05"), r);
    assertFalse(r.contains("rounds"), "a run without rounds claims no spread: " + r);
  }

  @Test
  void summaryTakesMediansOverRoundsAndChangesWithinARound() {
    Map<Variant, List<Measured>> measured = new LinkedHashMap<>();
    // round 2 is slow for everything: the split's change is taken against that round's monolith
    measured.put(MONOLITH, List.of(run(300, Double.NaN, 4.0), run(200, Double.NaN, 4.4), run(320, Double.NaN, 4.2)));
    measured.put(SPLIT, List.of(run(330, 10, 5.0), run(190, -5, 5.6), run(304, -5, 5.2)));
    Csv c = Csv.parse(csv(ThroughputExperiment.summary(List.of(MONOLITH, SPLIT), measured, 1000)));

    Map<String, String> mono = c.rows().get(0);
    assertEquals(300, Csv.num(mono, ThroughputExperiment.Column.FPS), 1e-9);
    assertEquals(200, Csv.num(mono, ThroughputExperiment.Column.FPS_MIN), 1e-9);
    assertEquals(320, Csv.num(mono, ThroughputExperiment.Column.FPS_MAX), 1e-9);
    assertEquals(4.2, Csv.num(mono, ThroughputExperiment.Column.CPU_MS_PER_FRAME), 1e-9);
    assertEquals("-", Csv.str(mono, ThroughputExperiment.Column.CHANGE_VS_MONOLITH_PCT));

    Map<String, String> split = c.rows().get(1);
    assertEquals(304, Csv.num(split, ThroughputExperiment.Column.FPS), 1e-9);
    assertEquals(-5, Csv.num(split, ThroughputExperiment.Column.CHANGE_VS_MONOLITH_PCT), 1e-9,
        "the median of the per-round changes, not the change of the medians (+1.3%)");
    assertEquals(-5, Csv.num(split, ThroughputExperiment.Column.CHANGE_MIN_PCT), 1e-9);
    assertEquals(10, Csv.num(split, ThroughputExperiment.Column.CHANGE_MAX_PCT), 1e-9);
    assertEquals(3, Csv.num(split, ThroughputExperiment.Column.ROUNDS), 1e-9);
    assertEquals("conv", Csv.str(split, ThroughputExperiment.Column.SLOWEST_SERVICE), "from the median round");
    assertEquals(2.0 * 304 / 100, Csv.num(split, ThroughputExperiment.Column.SLOWEST_SERVICE_MS), 1e-9);
  }

  @Test
  void readingGivesTheRangeOverRoundsAndSaysWhenItStraddlesNoChange() {
    String straddling = """
        variant,stages,services,frames,delivered,fps,change_vs_monolith_pct,cpu_ms_per_frame,cpu_bound_fps,slowest_service,slowest_service_ms,lat_p50_ms,thesis_server_pct,thesis_edge_pct,rounds,fps_min,fps_max,change_min_pct,change_max_pct
        monolith,1,producer+conv+relu+maxpool (one process),1000,1000,344.0,-,4.24,471.7,-,-,2.38,-,-,3,337.7,370.4,-,-
        4-stage,4,producer | conv | relu | maxpool,1000,1000,354.4,+5.0,5.01,399.2,conv,2.30,7.79,76.58,103.9,3,341.4,414.6,-7.8,+20.5
        """;
    String r = ThroughputSection.read(Csv.parse(straddling), Map.of("cores", "2"));
    assertTrue(r.contains("medians of 3 rounds; over them the monolith ran at 337.7-370.4 fps and the 4-stage "
        + "pipeline's change was -7.8% to +20.5%: within the spread of this machine, the split neither gains nor loses"), r);

    String r2 = ThroughputSection.read(Csv.parse(straddling.replace("-7.8,+20.5", "+2.0,+20.5")), Map.of("cores", "2"));
    assertTrue(r2.contains("change was +2.0% to +20.5%. "), r2);
    assertFalse(r2.contains("neither gains nor loses"), r2);
  }

  private static Measured run(double fps, double changePct, double cpuMs) {
    return new Measured(fps, changePct, cpuMs, 1000, "conv", 2.0 * fps / 100, 5, 3);
  }

  private static String csv(Table t) {
    StringBuilder sb = new StringBuilder(String.join(",", t.header())).append('\n');
    t.rows().forEach(row -> sb.append(String.join(",", row)).append('\n'));
    return sb.toString();
  }
}
