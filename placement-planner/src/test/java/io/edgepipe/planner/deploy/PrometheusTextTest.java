package io.edgepipe.planner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void sumsEveryLabelSetOfTheMetric() {
    String text = "# HELP edgepipe_frames_out_total Frames sent\n"
        + "# TYPE edgepipe_frames_out_total counter\n"
        + "edgepipe_frames_out_total{stage=\"conv\",flow=\"a\"} 120.0\n"
        + "edgepipe_frames_out_total{stage=\"conv\",flow=\"b\"} 30\n"
        + "edgepipe_frames_out_total_created 1.7E9\n"
        + "jvm_threads_live 12\n";
    assertEquals(150.0, PrometheusText.sum(text, "edgepipe_frames_out_total").getAsDouble(), 1e-9);
    assertEquals(7.0, PrometheusText.sum("edgepipe_frames_out_total 7 1700000000\n", "edgepipe_frames_out_total")
        .getAsDouble(), 1e-9);
  }

  @Test
  void nothingToReadIsEmpty() {
    assertFalse(PrometheusText.sum("{\"kind\":\"List\"}", "edgepipe_frames_out_total").isPresent());
    assertFalse(PrometheusText.sum(null, "edgepipe_frames_out_total").isPresent());
  }
}
