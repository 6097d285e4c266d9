package io.edgepipe.models.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WarmupSettleTest {
  @Test
  void aBlockHasSettledOnlyWhenItAgreesWithTheOneBeforeAtTheFastestPaceAndTheJitStoppedCompiling() {
    // the first block has nothing to be compared with
    assertFalse(WarmupSettle.settled(0, 0, 3.0, 0, 300));
    // still falling: 5.9 -> 4.9 ms (bench model's frames 50-70 against frames 70-90)
    assertFalse(WarmupSettle.settled(5.9, 5.9, 4.9, 0, 300));
    // as fast as the block before, but the compiler worked through a third of the block
    assertFalse(WarmupSettle.settled(3.0, 3.0, 3.0, 100, 300));
    // steady and quiet
    assertTrue(WarmupSettle.settled(3.0, 3.0, 2.95, 10, 300));
    // a slow block (the host busy for a moment) does not end the warm-up: 5.29 -> 6.53 ms (session 10)
    assertFalse(WarmupSettle.settled(5.29, 5.29, 6.53, 0, 300));
    // nor does a second slow block that agrees with the first while a faster one was seen before
    assertFalse(WarmupSettle.settled(6.53, 5.29, 6.40, 0, 300));
    // back at the fastest pace, agreeing with the block before
    assertTrue(WarmupSettle.settled(5.40, 5.29, 5.35, 0, 300));
    // the bounds: 5% either way of the block before, 5% above the fastest, 5% of the block compiling
    assertTrue(WarmupSettle.settled(4.0, 4.0, 3.81, 15, 300));
    assertFalse(WarmupSettle.settled(4.0, 4.0, 3.79, 15, 300));
    assertTrue(WarmupSettle.settled(4.0, 4.0, 4.19, 15, 300));
    assertFalse(WarmupSettle.settled(4.0, 4.0, 4.21, 15, 300));
    assertFalse(WarmupSettle.settled(4.0, 3.8, 4.0, 15, 300)); // 5.3% above the fastest
    assertFalse(WarmupSettle.settled(4.0, 4.0, 3.81, 15.1, 300));
  }

  @Test
  void theMedianOfABlock() {
    assertEquals(2.0, WarmupSettle.median(new double[] {9, 1, 2}), 0);
    assertEquals(2.5, WarmupSettle.median(new double[] {4, 1, 2, 3}), 0);
  }
}
