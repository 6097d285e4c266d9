package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServiceCpuFitTest {
  /** Readings of a process with 0.02 cores of background and 2 ms of CPU per frame. */
  static void feed(ServiceCpuFit fit, double fps, double seconds) {
    fit.add(Math.round(fps * seconds), seconds, (0.02 + fps * 0.002) * seconds);
  }

  @Test
  void readingsAtTwoRatesGiveBackgroundAndCpuPerFrame() {
    ServiceCpuFit fit = new ServiceCpuFit(30, 0);
    for (int i = 0; i < 20; i++) {
      feed(fit, i % 2 == 0 ? 100 : 20, 0.25);
    }
    assertTrue(fit.ready());
    assertEquals(2.0, fit.cpuMsPerFrame(), 1e-6);
    assertEquals(0.02, fit.backgroundCores(), 1e-6);
    assertEquals(0.02 + 0.05 * 2, fit.coresAt(50) * 1, 1e-6);
  }

  @Test
  void anIdleSpanShowsTheBackground() {
    ServiceCpuFit fit = new ServiceCpuFit(30, 0);
    feed(fit, 0, 20); // idle beside the placement
    for (int i = 0; i < 8; i++) {
      feed(fit, 160, 0.25);
    }
    assertEquals(0.02, fit.backgroundCores(), 1e-6);
    assertEquals(2.0, fit.cpuMsPerFrame(), 1e-6);
  }

  @Test
  void anIdleSpellIsTheBackgroundEvenWhereTheCpuPerFrameFallsWithTheRate() {
    // a process whose frames cost 1.4 ms each at 50 fps and 1.0 ms at 100 fps (wake-ups batched), with
    // 0.005 cores of background: a line through the two rates alone crosses 0 fps at 0.045 cores
    ServiceCpuFit lineOnly = new ServiceCpuFit(30, 0);
    ServiceCpuFit withIdle = new ServiceCpuFit(30, 0);
    withIdle.add(0, 20, 0.005 * 20); // a standby beside the placement
    for (int i = 0; i < 20; i++) {
      double fps = i % 2 == 0 ? 50 : 100;
      double cores = 0.005 + fps * (fps == 50 ? 0.0014 : 0.0010);
      lineOnly.add(Math.round(fps * 0.2), 0.2, cores * 0.2);
      withIdle.add(Math.round(fps * 0.2), 0.2, cores * 0.2);
    }
    assertEquals(0.045, lineOnly.backgroundCores(), 1e-3);
    assertEquals(0.005, withIdle.backgroundCores(), 1e-4, "measured while idle");
    // either way the cores at the rates seen are kept: 0.075 and 0.105, mean 0.09 at 75 fps
    assertEquals(0.09, withIdle.coresAt(75), 1e-4);
    assertEquals(0.09, lineOnly.coresAt(75), 1e-4);
    assertEquals((0.09 - 0.005) / 75 * 1000, withIdle.cpuMsPerFrame(), 2e-3);
  }

  @Test
  void aFewFramesAfterAMoveAreNotYetAFigure() {
    ServiceCpuFit fit = new ServiceCpuFit(30, 0);
    fit.add(0, 30, 0.3); // idle for long
    fit.add(3, 0.25, 0.02); // the first report after a move: 3 frames, two kernel ticks
    assertFalse(fit.ready(), "a quarter second of frames");
    fit.add(30, 0.25, 0.04);
    assertTrue(fit.ready());
  }

  @Test
  void oneRateKeepsThePriorAndTheCoresSeen() {
    ServiceCpuFit none = new ServiceCpuFit(30, 0);
    ServiceCpuFit prior = new ServiceCpuFit(30, 0.02);
    for (int i = 0; i < 8; i++) {
      feed(none, 100, 0.25);
      feed(prior, 100, 0.25);
    }
    assertEquals(0, none.backgroundCores());
    assertEquals(2.2, none.cpuMsPerFrame(), 1e-6); // the background shared out over the frames
    assertEquals(2.0, prior.cpuMsPerFrame(), 1e-6);
    assertEquals(0.22, none.coresAt(100), 1e-6);
    assertEquals(0.22, prior.coresAt(100), 1e-6);
  }

  @Test
  void tooFewReadingsSayNothingAndBadOnesAreRefused() {
    ServiceCpuFit fit = new ServiceCpuFit(30, 0);
    feed(fit, 100, 0.25);
    assertFalse(fit.ready());
    assertThrows(IllegalArgumentException.class, () -> fit.add(1, 0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> fit.add(1, 1, -0.1));
  }
}
