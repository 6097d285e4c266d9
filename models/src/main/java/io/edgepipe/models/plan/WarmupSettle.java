package io.edgepipe.models.plan;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * When a profile's warm-up is over: the JIT has stopped compiling, and the whole model's time per
 * frame has stopped falling from one block of rounds to the next.
 *
 * <p>Why: a running service is measured warm (a model-cuts sweep warms its partitions until two
 * windows agree), so its profile must time the same compiled code. A fixed ten rounds did not: on
 * the quiet testbed the profile put BlazeFace's whole model at 5.95 ms a frame on the server (4.62 at
 * its 10th percentile), while {@code bench model} on the same cores took 4.9 ms in its frames 50-70
 * and 2.5 ms from frame 100 on, and the all-server chain passed a frame every 3.4-4.7 ms, I/O
 * included. The C2 compiler was still working through the kernels while the profile timed them.
 *
 * <p>A block must agree with the one before it both ways, and be no slower than the fastest block
 * seen: once it was enough that a block was no faster than the one before, and a slow block (6.53 ms
 * after 5.29, the host busy for a moment) ended the classifier's server warm-up, which then timed
 * the whole model at 3.44 ms where an hour earlier it took 2.27 (session 10).
 */
final class WarmupSettle {
  /** Rounds per block: the times of one block are compared with the block's before. */
  static final int BLOCK = 10;
  /**
   * A block whose median is within this share of the one before (both ways), and at most this share
   * above the fastest block so far, has settled.
   */
  static final double TIME_TOLERANCE = 0.05;
  /** A block during which the JIT compiled for at most this share of its wall time has a settled JIT. */
  static final double COMPILE_SHARE = 0.05;
  /** The warm-up gives up waiting after this long (a loaded host may never look settled). */
  static final long MAX_NANOS = 60_000_000_000L;

  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private WarmupSettle() {}

  /**
   * @param previousMedianMs the whole model's median ms in the block before (0: none yet)
   * @param fastestMedianMs  the lowest median of the blocks before this one (0: none yet)
   * @param blockMedianMs    its median in the block just ended
   * @param compileMs        ms the JIT's threads spent compiling during that block (0 where unknown)
   * @param blockWallMs      the block's wall time
   */
  static boolean settled(double previousMedianMs, double fastestMedianMs, double blockMedianMs, double compileMs,
      double blockWallMs) {
    return previousMedianMs > 0
        && Math.abs(blockMedianMs - previousMedianMs) <= TIME_TOLERANCE * previousMedianMs
        && blockMedianMs <= fastestMedianMs * (1 + TIME_TOLERANCE)
        && compileMs <= COMPILE_SHARE * blockWallMs;
  }

  /** ms the JIT's compiler threads have spent compiling in this JVM so far; 0 where the JVM does not say. */
  static long compileMs() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
