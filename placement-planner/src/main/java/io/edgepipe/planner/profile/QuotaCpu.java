package io.edgepipe.planner.profile;

/**
 * What a CFS CPU quota ({@code quotaCores} of CPU in every {@code periodMs}) leaves the frames of
 * the services on a node.
 *
 * <p>Throughput: the JVMs on the node burn some CPU whatever the rate (event loops, timers, GC,
 * the JIT finishing: their background), so frames get the quota less that, and the node passes
 * {@code freeCores / (sum of its services' CPU ms per frame)} frames per ms. The per-frame CPU is
 * what the services use in a running chain (parsing, serialising, acknowledging, decoding the
 * source, not only the layer's compute), as the chain spends it under the quota: on the testbed's
 * edge the all-edge chain used 2.7-3.0 ms a frame at 256x256 under 0.25 and 0.5 cores where its
 * warm unthrottled visit read 1.9, and the experiments' GridCpuFit charges the difference to
 * each edge service.
 *
 * <p>Latency: a frame whose work fits in one period's budget runs at full speed unless the budget
 * is spent; a paced stream (at half the rate the node can take) leaves it unspent almost always,
 * so its frames take their CPU time, not that time stretched by the quota. Work longer than one
 * period's budget waits for the following periods: it is stretched by the quota.
 */
public record QuotaCpu(double quotaCores, double periodMs) {
  /** The kernel's default CFS period, and the testbed's. */
  public static final double CFS_PERIOD_MS = 100;
  /** Least cores left to frames, so that a background larger than the quota predicts a crawl, not a division by 0. */
  public static final double MIN_FREE_CORES = 0.01;

  public QuotaCpu {
    if (!(quotaCores > 0) || !(periodMs > 0)) {
      throw new IllegalArgumentException("a quota needs cores > 0 and a period > 0, got " + quotaCores + " cores per "
          + periodMs + " ms");
    }
  }

  public static QuotaCpu of(double cores) {
    return new QuotaCpu(cores, CFS_PERIOD_MS);
  }

  /** Cores left to frames once the JVMs' background is burnt (at least {@value #MIN_FREE_CORES}). */
  public double freeCores(double backgroundCores) {
    return Math.max(MIN_FREE_CORES, quotaCores - Math.max(0, backgroundCores));
  }

  /** Frames per second the node can take at {@code cpuMsPerFrame} of CPU per frame over all its services. */
  public double fps(double cpuMsPerFrame, double backgroundCores) {
    return cpuMsPerFrame > 0 ? freeCores(backgroundCores) * 1000 / cpuMsPerFrame : Double.POSITIVE_INFINITY;
  }

  /**
   * Wall time of {@code cpuMs} of work on one thread of a paced stream: its CPU time while it fits
   * in one period's budget (and in one core), else stretched by the quota.
   */
  public double wallMs(double cpuMs) {
    double budgetMs = Math.min(1, quotaCores) * periodMs;
    return cpuMs <= budgetMs ? cpuMs : cpuMs / Math.min(1, quotaCores);
  }
}
