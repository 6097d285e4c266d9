package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.profile.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Three layers; the "measured" CPU is made from known costs, so the uncalibrated cut is predicted from them. */
class CalibratedCutsTest {

  private static Profile profile() {
    return ToyCutProfile.builder(0.5, 1.5, 2.5).build();
  }

  private static double edge(CutPlanner.CutPrediction p) {
    return 1 + 0.5 * p.edgeMs() + 1e-5 * p.bytesUp();
  }

  private static double server(CutPlanner.CutPrediction p) {
    return 0.2 + 0.8 * p.serverMs() + 2e-5 * p.bytesDown();
  }

  private static Map<String, CutPlanner.CutPlan> plans() {
    Map<String, CutPlanner.CutPlan> plans = new LinkedHashMap<>();
    for (String link : List.of("10mbit", "1gbit")) {
      plans.put(link, ModelCutExperiment.plan(profile(), link, 0.5, 2));
    }
    return plans;
  }

  private static List<Map<String, String>> rows(Map<String, CutPlanner.CutPlan> plans, boolean withCpu) {
    List<Map<String, String>> rows = new ArrayList<>();
    for (String link : plans.keySet()) {
      for (CutPlanner.CutPrediction p : plans.get(link).singles()) {
        rows.add(Map.of("link", link, "cut", "" + p.cut(), "meas_edge_cpu_ms", withCpu ? "" + edge(p) : "-",
            "meas_server_cpu_ms", withCpu ? "" + server(p) : "-"));
      }
    }
    return rows;
  }

  @Test
  void theCutLeftOutIsPredictedFromTheCostsFittedOnTheOthers() {
    Map<String, CutPlanner.CutPlan> plans = plans();
    CalibratedCuts.Result r = CalibratedCuts.of(rows(plans, true), plans, 3, 0.5, 2);
    // mixed cuts 1 (30 kB up) and 2 (20 kB): the lower median is cut 2
    assertEquals(Set.of(0, 2, 3), r.cuts());
    assertEquals("1gbit", r.link());
    assertEquals(0.5, r.edge().slope(), 1e-9);
    assertEquals(1e-5, r.edge().msPerByte(), 1e-12);
    CutPlanner.CutPrediction one = plans.get("10mbit").singles().get(1);
    double expected = Math.min(Math.min(500 / edge(one), 1500 / server(one)),
        10e6 / 8 / Math.max(one.bytesUp(), one.bytesDown()));
    assertEquals(expected, r.cells().get("10mbit").get(1).fps(), 1e-6);
    assertEquals(edge(one), r.cells().get("10mbit").get(1).edgeCpuMs(), 1e-9);
  }

  @Test
  void aSweepWithoutMeasuredCpuIsRefused() {
    Map<String, CutPlanner.CutPlan> plans = plans();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CalibratedCuts.of(rows(plans, false), plans, 3, 0.5, 2));
    assertTrue(e.getMessage().contains("measured CPU per frame"), e.getMessage());
  }
}
