package io.edgepipe.planner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class QuotaCpuTest {
  @Test
  void framesGetTheQuotaLessTheBackground() {
    QuotaCpu q = QuotaCpu.of(0.25);
    // 0.25 cores less 0.05 of background = 0.2 cores: 200 CPU ms per second, 2 ms per frame -> 100 fps
    assertEquals(100, q.fps(2, 0.05), 1e-9);
    assertEquals(125, q.fps(2, 0), 1e-9);
  }

  @Test
  void aBackgroundAboveTheQuotaLeavesACrawlNotAnError() {
    QuotaCpu q = QuotaCpu.of(0.25);
    assertEquals(QuotaCpu.MIN_FREE_CORES, q.freeCores(0.4), 1e-12);
    assertEquals(5, q.fps(2, 0.4), 1e-9);
  }

  @Test
  void workThatFitsInOnePeriodsBudgetRunsAtFullSpeedLongerWorkIsStretched() {
    QuotaCpu q = QuotaCpu.of(0.25); // 25 ms of CPU in every 100 ms
    assertEquals(3, q.wallMs(3), 1e-12);
    assertEquals(25, q.wallMs(25), 1e-12);
    assertEquals(160, q.wallMs(40), 1e-12);
    // two cores: a one-thread frame never waits for the quota
    assertEquals(150, QuotaCpu.of(2).wallMs(150), 1e-12);
  }

  @Test
  void aQuotaNeedsCores() {
    assertThrows(IllegalArgumentException.class, () -> QuotaCpu.of(0));
  }
}
