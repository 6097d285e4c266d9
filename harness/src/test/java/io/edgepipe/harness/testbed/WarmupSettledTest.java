package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When the testbed producer stops warming the chain up. */
class WarmupSettledTest {
  @Test
  void aSlowSteadyRiseIsNotSettled() {
    // each window 4% above the last: neighbours agree within 5%, but the JIT is still at work
    assertFalse(TestbedProducer.settled(List.of(100.0, 104.0, 108.2)));
    assertFalse(TestbedProducer.settled(List.of(35.0, 50.0, 60.0, 70.0)));
  }

  @Test
  void aFlatRateIsSettledAfterThreeWindows() {
    assertFalse(TestbedProducer.settled(List.of(300.0, 301.0)));
    assertTrue(TestbedProducer.settled(List.of(40.0, 72.0, 74.0, 73.5)));
    assertTrue(TestbedProducer.settled(List.of(320.0, 310.0, 318.0)));
  }
}
