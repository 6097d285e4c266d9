package io.edgepipe.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HopFitTest {
  @Test
  void pointsOnALineGiveThatLine() {
    HopFit fit = HopFit.of(Map.of(1000L, 1.5, 2000L, 2.0, 4000L, 3.0));
    assertEquals(1.0, fit.fixedMs(), 1e-12);
    assertEquals(0.0005, fit.msPerByte(), 1e-15);
    assertEquals(1.0 + 0.0005 * 3000, fit.ms(3000), 1e-12);
  }

  @Test
  void oneColdFigureDoesNotMoveTheFit() {
    Map<Long, Double> points = new LinkedHashMap<>();
    points.put(49_152L, 7.0); // timed first, on a cold JVM: 14x the warm cost
    for (long b = 10_000; b <= 100_000; b += 10_000) {
      points.put(b, 0.5 + 1e-5 * b);
    }
    HopFit fit = HopFit.of(points);
    assertEquals(0.5, fit.fixedMs(), 0.05);
    assertEquals(1e-5, fit.msPerByte(), 1e-6);
    assertEquals(0.5 + 1e-5 * 49_152, fit.ms(49_152), 0.1);
  }

  @Test
  void aSizeMeasuredOnceCountsOnceAndTooFewSizesGiveNoFit() {
    Map<Long, Double> points = HopFit.bySize(List.of(100L, 200L, 100L, -1L), java.util.Arrays.asList(1.0, 2.0, 9.0, 5.0));
    assertEquals(Map.of(100L, 1.0, 200L, 2.0), points);
    assertNull(HopFit.of(Map.of(100L, 1.0)));
    // more bytes never cost less: a falling fit is held flat
    assertEquals(0, HopFit.of(Map.of(100L, 2.0, 200L, 1.0)).msPerByte());
  }
}
