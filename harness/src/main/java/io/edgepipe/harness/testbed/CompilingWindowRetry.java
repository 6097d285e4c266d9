package io.edgepipe.harness.testbed;

/**
 * When a measured step is measured again: its window was partly spent by the JIT compiler.
 *
 * <p>Why: a grid's visit measures a placement in steady state, which is what the planner predicts
 * (a deployed chain runs for hours). But a JVM compiles again when its path changes (a repointed
 * placement, a paced step between two flat-out ones, a new quota), and at a quarter of a core a
 * compile burst takes a large part of the window: in session 11's grid EEEE's first visit at 0.25
 * cores and 10 Mbit compiled 0.23 s of its 0.5 core-seconds and passed 52.7 fps, its later
 * repeats 108 and 119; SSSS at 256 compiled 0.34 s in one window at 941 fps, the next window 1175.
 * A step whose window was busy compiling is measured once more (settling again first); both
 * readings are logged, and the second counts whatever it shows.
 *
 * @param maxCompileShare the most of a node's CPU in the window that its compiler threads may use
 * @param maxRetries      how many times a step is measured again at most (0: never)
 */
public record CompilingWindowRetry(double maxCompileShare, int maxRetries) {
  /** Every step measured once, as it came. */
  public static final CompilingWindowRetry NEVER = new CompilingWindowRetry(Double.POSITIVE_INFINITY, 0);
  /** More than 5% of either node's CPU compiling: measured once more. */
  public static final CompilingWindowRetry ONCE_ABOVE_5_PCT = new CompilingWindowRetry(0.05, 1);
  /** A node that used less CPU than this over the window is left out (an idle edge under SSSS). */
  static final double MIN_NODE_CORES = 0.05;

  public CompilingWindowRetry {
    if (!(maxCompileShare > 0) || maxRetries < 0) {
      throw new IllegalArgumentException("a compile share above 0 and retries of at least 0, got "
          + maxCompileShare + " and " + maxRetries);
    }
  }

  /**
   * The larger of the two nodes' compile shares: compiler CPU seconds in the window over the CPU
   * seconds the node used in it (which include them). 0 where neither node did work.
   */
  public static double compileShare(double edgeCompileS, double edgeCores, double serverCompileS, double serverCores,
      double seconds) {
    return Math.max(share(edgeCompileS, edgeCores, seconds), share(serverCompileS, serverCores, seconds));
  }

  private static double share(double compileS, double cores, double seconds) {
    if (!(cores >= MIN_NODE_CORES) || !(seconds > 0)) {
      return 0;
    }
    return Math.max(0, compileS) / (cores * seconds);
  }

  /** Whether a step measured {@code attempts} times so far, its last window at {@code compileShare}, goes again. */
  public boolean again(int attempts, double compileShare) {
    return attempts <= maxRetries && compileShare > maxCompileShare;
  }
}
