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
  void aMajorityOfSlowFiguresDoesNotRaiseTheFixedCostWhileAQuarterAreWarm() {
    // 8 sizes: the first 5 timed cold (1 ms more each), the last 3 warm on 0.3 ms + 2 ns a byte
    Map<Long, Double> points = new LinkedHashMap<>();
    for (int i = 1; i <= 8; i++) {
      long b = 40_000L * i;
      points.put(b, 0.3 + 2e-6 * b + (i <= 5 ? 1.0 : 0));
    }
    HopFit fit = HopFit.of(points);
    assertEquals(2e-6, fit.msPerByte(), 1e-12);
    assertEquals(0.3, fit.fixedMs(), 1e-9); // the median intercept would be 1.3
  }

  @Test
  void theLowerQuartileIsAQuarterOfTheWayUp() {
    assertEquals(2.0, HopFit.lowerQuartile(List.of(5.0, 1.0, 3.0, 2.0, 4.0)), 0); // (5-1)/4: the second lowest
    assertEquals(3.0, HopFit.lowerQuartile(List.of(8.0, 3.0, 2.0, 1.0, 4.0, 5.0, 6.0, 7.0, 9.0)), 0);
    assertEquals(1.0, HopFit.lowerQuartile(List.of(4.0, 1.0, 3.0, 2.0)), 0); // (4-1)/4 rounds down: the lowest
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
