package io.edgepipe.experiments.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.models.plan.LayerProfiler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the layers' times are scaled to the whole model's. */
class ModelProfilesCalibrationTest {
  private static LayerProfiler.Result timed(double wholeMedianMs, double wholeP10Ms, double... layerMedians) {
    List<LayerProfiler.LayerTime> layers = new java.util.ArrayList<>();
    for (int i = 0; i < layerMedians.length; i++) {
      layers.add(new LayerProfiler.LayerTime(i, "n" + i, "Conv", layerMedians[i], layerMedians[i] * 2, 100));
    }
    return new LayerProfiler.Result(layers, wholeMedianMs, 300, wholeP10Ms);
  }

  @Test
  void theLayersSumToTheWholeModelsMedian() {
    // layers alone 10 ms, the whole 5 ms (median) and 4 ms (10th percentile): scaled to the median
    assertEquals(0.5, ModelProfiles.calibration(timed(5, 4, 6, 4)), 1e-12);
  }

  @Test
  void neverScaledUpAndLeftAloneWithoutAFigure() {
    // a whole model slower than its layers was descheduled: the layers stand as timed
    assertEquals(1.0, ModelProfiles.calibration(timed(20, 12, 6, 4)), 1e-12);
    assertEquals(1.0, ModelProfiles.calibration(timed(0, 0, 6, 4)), 1e-12);
    assertEquals(1.0, ModelProfiles.calibration(timed(5, 4)), 1e-12);
  }
}
