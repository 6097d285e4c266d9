package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.proto.StageTiming;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseHistogramsTest {
  @Test
  void phaseSumsAndCountsAreReadFromPrometheusText() {
    String text = "# HELP edgepipe_phase_seconds per-frame time\n"
        + "edgepipe_phase_seconds_bucket{phase=\"process\",le=\"0.01\"} 3\n"
        + "edgepipe_phase_seconds_count{phase=\"process\"} 10\n"
        + "edgepipe_phase_seconds_sum{phase=\"process\"} 0.2\n"
        + "edgepipe_phase_seconds_count{phase=\"receive\"} 10\n"
        + "edgepipe_phase_seconds_sum{phase=\"receive\"} 0.05\n"
        + "edgepipe_phase_seconds_max{phase=\"receive\"} 0.01\n";
    Map<String, double[]> phases = new HashMap<>();
    PhaseHistograms.addTo(phases, text);
    PhaseHistograms.addTo(phases, text); // a second replica adds up
    assertArrayEquals(new double[] {0.4, 20}, phases.get("process"), 1e-12);
    assertArrayEquals(new double[] {0.1, 20}, phases.get("receive"), 1e-12);
  }

  @Test
  void phaseMeansBecomeAChainOfTimings() {
    List<StageTiming> t = PhaseHistograms.timings(List.of("producer", "conv", "relu"), new double[] {1, 20, 3},
        new double[] {Double.NaN, 7.5, 0.5});
    assertEquals(3, t.size());
    assertEquals(20_000, t.get(1).getProcessedUs() - t.get(1).getReceivedUs());
    assertEquals(7_500, t.get(1).getReceivedUs() - t.get(0).getSentUs()); // conv's receive phase is the hop
    assertTrue(PhaseHistograms.timings(List.of("producer", "conv"), new double[] {1, Double.NaN},
        new double[] {Double.NaN, 1}).isEmpty(), "a stage that passed no frame: no sample");
  }
}
