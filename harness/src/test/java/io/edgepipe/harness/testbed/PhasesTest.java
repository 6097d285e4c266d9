package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** How long a testbed run's warm-up may last. */
class PhasesTest {
  @Test
  void aWarmUpMayGoOnFortySecondsPastWhatWasAskedUnlessCapped() {
    assertEquals(50, new TestbedRun.Phases(10, 0, 0, 1).warmupMaxSeconds());
    assertEquals(12, new TestbedRun.Phases(10, 0, 0, 1, 12).warmupMaxSeconds());
    assertEquals(40, TestbedRun.Phases.NONE.warmupMaxSeconds());
  }

  @Test
  void aCapShorterThanTheWarmUpIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TestbedRun.Phases(10, 0, 0, 1, 5));
    assertEquals("a warm-up of at least 10.0 s cannot end by 5.0 s", e.getMessage());
  }
}
