package io.edgepipe.harness.testbed;

/**
 * The CPU one service's process used during the two measured phases of a testbed run, and
 * what that says about its cost. A JVM streaming frames spends CPU per frame (parse, compute,
 * serialise, ack) and also a steady amount whatever the rate (event loops, timers, GC, the JIT
 * finishing): with cores = background + rate x perFrame, the fast main phase and the slow paced
 * phase give both. On a half-core edge with four JVMs that background is a large share of the
 * node, which is why a per-frame cost alone mispredicts it.
 *
 * @param mainCores  cores used during the main (as fast as it goes) phase
 * @param mainFps    frames per second the chain passed in it
 * @param pacedCores cores used during the paced phase
 * @param pacedFps   frames per second in it
 */
public record ServiceCpu(double mainCores, double mainFps, double pacedCores, double pacedFps) {

  /** CPU milliseconds per frame: the slope between the two phases (or all of the main phase's CPU). */
  public double cpuMsPerFrame() {
    if (!fitted()) {
      return mainFps > 0 ? mainCores / mainFps * 1e3 : Double.NaN;
    }
    return Math.max(0, (mainCores - pacedCores) / (mainFps - pacedFps)) * 1e3;
  }

  /** Cores used whatever the rate: the main phase's CPU less its frames' share, never below 0. */
  public double backgroundCores() {
    if (!fitted()) {
      return 0;
    }
    return Math.max(0, mainCores - mainFps * cpuMsPerFrame() / 1e3);
  }

  /** Whether the two phases differ enough in rate (and CPU) for a slope. */
  private boolean fitted() {
    return mainFps > 0 && pacedFps >= 0 && mainFps > 1.5 * pacedFps && mainCores > pacedCores
        && Double.isFinite(pacedCores);
  }
}
