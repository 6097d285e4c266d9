package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import org.junit.jupiter.api.Test;

/**
 * The producer never idles, so its background is only a line's intercept: where its CPU per
 * frame falls with the rate, that intercept is high, and under a tight quota it starves every
 * placement. The JVMs idling beside it show what a JVM of this runtime burns: no more than that.
 */
class NeverIdleBackgroundTest {
  @Test
  void aNeverIdleProcessIsGivenNoMoreBackgroundThanItsIdleSiblings() {
    LiveProfile live = new LiveProfile(QuotaReplannerTest.profile(), QuotaReplannerTest.SIZE, 0.3, 0.5, 0);
    Placement eeee = new Placement("EEEE");
    for (int i = 0; i < 60; i++) {
      // the producer at 40 and 120 fps: 0.03 + 0.25 ms per frame on a line, 0.04 and 0.06 cores
      double fps = i % 2 == 0 ? 40 : 120;
      live.observeCpu(eeee, "producer", Tier.EDGE, Math.round(fps / 4), 250_000, Math.round((0.03 + fps * 0.00025) * 250_000));
      live.observeCpu(null, "conv", Tier.EDGE, 0, 250_000, 1_250); // a standby beside it idling at 0.005 cores
    }
    double[] producer = live.serviceCpu("producer", Tier.EDGE, eeee);
    assertEquals(0.005, producer[1], 1e-4, "capped at the idle sibling's");
    // the cores at the rates seen are kept: 0.05 at the mean 80 fps
    assertEquals(0.05, producer[1] + 80 * producer[0] / 1000, 2e-3);
  }
}
