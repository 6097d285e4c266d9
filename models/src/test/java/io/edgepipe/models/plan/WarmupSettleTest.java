package io.edgepipe.models.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WarmupSettleTest {
  @Test
  void aBlockHasSettledOnlyWhenTheTimeStoppedFallingAndTheJitStoppedCompiling() {
    // the first block has nothing to be compared with
    assertFalse(WarmupSettle.settled(0, 3.0, 0, 300));
    // still falling: 5.9 -> 4.9 ms (bench model's frames 50-70 against frames 70-90)
    assertFalse(WarmupSettle.settled(5.9, 4.9, 0, 300));
    // as fast as the block before, but the compiler worked through a third of the block
    assertFalse(WarmupSettle.settled(3.0, 3.0, 100, 300));
    // steady and quiet
    assertTrue(WarmupSettle.settled(3.0, 2.95, 10, 300));
    // slower than the block before (a descheduled block) is not falling either
    assertTrue(WarmupSettle.settled(3.0, 3.6, 0, 300));
    // the bounds: 5% faster and 5% of the block compiling still count as settled
    assertTrue(WarmupSettle.settled(4.0, 3.8, 15, 300));
    assertFalse(WarmupSettle.settled(4.0, 3.79, 15, 300));
    assertFalse(WarmupSettle.settled(4.0, 3.8, 15.1, 300));
  }

  @Test
  void theMedianOfABlock() {
    assertEquals(2.0, WarmupSettle.median(new double[] {9, 1, 2}), 0);
    assertEquals(2.5, WarmupSettle.median(new double[] {4, 1, 2, 3}), 0);
  }
}
