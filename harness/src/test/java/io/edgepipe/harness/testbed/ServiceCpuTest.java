package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServiceCpuTest {
  /** 0.5 cores at 200 fps and 0.14 at 20 fps: 2 ms a frame and 0.1 cores whatever the rate. */
  @Test
  void twoPhasesSeparatePerFrameCpuFromBackground() {
    ServiceCpu c = new ServiceCpu(0.5, 200, 0.14, 20);
    assertEquals(2.0, c.cpuMsPerFrame(), 1e-9);
    assertEquals(0.1, c.backgroundCores(), 1e-9);
  }

  /** Rates too close for a slope (or CPU that fell with the rate): all of the main phase's CPU per frame. */
  @Test
  void withoutASlopeEverythingIsPerFrame() {
    assertEquals(2.5, new ServiceCpu(0.5, 200, 0.5, 190).cpuMsPerFrame(), 1e-9);
    assertEquals(0, new ServiceCpu(0.5, 200, 0.5, 190).backgroundCores(), 1e-12);
    assertEquals(2.5, new ServiceCpu(0.5, 200, 0.6, 20).cpuMsPerFrame(), 1e-9);
  }

  /** Noise can put the paced phase's CPU above the line through the origin: background never goes negative. */
  @Test
  void backgroundIsNeverNegative() {
    ServiceCpu c = new ServiceCpu(0.4, 200, 0.01, 20);
    assertEquals(0.39 / 180 * 1e3, c.cpuMsPerFrame(), 1e-9);
    assertEquals(0, c.backgroundCores(), 1e-12); // the line would cross zero below 0: clamped
    assertEquals(0, new ServiceCpu(0.1, 100, 0.0, 10).backgroundCores(), 1e-12);
  }
}
