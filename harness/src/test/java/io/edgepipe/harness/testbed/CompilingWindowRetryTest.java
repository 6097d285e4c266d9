package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompilingWindowRetryTest {
  @Test
  void theShareIsOfTheCpuTheNodeUsedAndTheBusierNodeCounts() {
    // session 11: EEEE at 0.25 cores, 0.23 s compiling in a 2 s window at 0.25 cores: 46%
    assertEquals(0.46, CompilingWindowRetry.compileShare(0.23, 0.25, 0, 1.0, 2), 1e-9);
    // SSSS at 256: an idle edge, the server at 1.74 cores compiling 0.34 s in 2 s
    assertEquals(0.34 / 3.48, CompilingWindowRetry.compileShare(0, 0.001, 0.34, 1.74, 2), 1e-9);
    assertEquals(0.1, CompilingWindowRetry.compileShare(0.05, 0.25, 0.2, 1.0, 2), 1e-9);
  }

  @Test
  void anIdleNodeOrAnEmptyWindowCountsAsNotCompiling() {
    assertEquals(0, CompilingWindowRetry.compileShare(0.2, 0.01, 0, 1.0, 2));
    assertEquals(0, CompilingWindowRetry.compileShare(0.2, Double.NaN, 0, Double.NaN, 2));
    assertEquals(0, CompilingWindowRetry.compileShare(0.2, 0.5, 0.2, 0.5, 0));
  }

  @Test
  void aBusyWindowIsMeasuredAgainOnlyUpToTheRetries() {
    CompilingWindowRetry once = CompilingWindowRetry.ONCE_ABOVE_5_PCT;
    assertTrue(once.again(1, 0.06));
    assertFalse(once.again(1, 0.05), "at the limit it counts");
    assertFalse(once.again(2, 0.5), "measured again once at most");
    assertFalse(CompilingWindowRetry.NEVER.again(1, 1.0));
    assertTrue(new CompilingWindowRetry(0.1, 2).again(2, 0.2));
  }

  @Test
  void onlyMeasuredStepsAtFullSpeedAreFlatOut() {
    assertTrue(new ScheduledTestbedRun.Step("thr", 0, 0, 0, 3, 1).flatOut());
    assertFalse(new ScheduledTestbedRun.Step("lat", 0, 0, -20, 3, 1).flatOut(), "paced from the step before");
    assertFalse(new ScheduledTestbedRun.Step("idle", 0, 0, 1, 3, 1).flatOut(), "paced at 1 frame/s");
    assertFalse(new ScheduledTestbedRun.Step("warm-up", 0, 0, 0, 20, 0, null, true).flatOut());
  }

  @Test
  void aRuleWithoutAPositiveShareIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CompilingWindowRetry(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new CompilingWindowRetry(0.05, -1));
  }
}
