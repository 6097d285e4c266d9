package io.edgepipe.harness.testbed;

import java.util.function.LongSupplier;

/**
 * Waits for the frames a chain has queued to arrive, its producer held. A paced (latency) window
 * started right after frames as fast as the chain goes measured that backlog, not a frame's way
 * through the chain: at 10 Mbit an unpaced step leaves seconds of frames queued behind the link
 * (E5 read a paced median of 1.95 s where a frame takes 0.26 s).
 */
final class QueueDrain {
  /** The producer's pace while the queue drains: one frame in a thousand seconds. */
  static final double HOLD_FPS = 1e-3;
  static final double MAX_SECONDS = 20;

  private QueueDrain() {}

  /**
   * Returns once {@code delivered} has not moved for three frame times at {@code fps} (at least
   * {@code minQuietSeconds}), or after {@value #MAX_SECONDS} s in all.
   */
  static void await(LongSupplier delivered, double fps, double minQuietSeconds) throws InterruptedException {
    long quiet = (long) (1e9 * Math.max(minQuietSeconds, fps > 0 ? 3 / fps : minQuietSeconds));
    long deadline = System.nanoTime() + (long) (MAX_SECONDS * 1e9);
    long seen = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = delivered.getAsLong();
      if (now != seen) {
        seen = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= quiet) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /**
   * As {@link #await}, but sooner where nothing is queued: once {@code delivered} has caught up
   * with what the producer reported {@code sent}, only the frames it has not reported yet can be
   * on their way, so a shorter quiet suffices ({@link #caughtUpQuietNanos}: two frame times, at
   * least one and a half of the producer's reports, {@code reportSeconds} apart). Behind a queue
   * the quiet of {@link #await} still ends it, whatever the counts say.
   */
  static void awaitSent(LongSupplier delivered, LongSupplier sent, double fps, double reportSeconds)
      throws InterruptedException {
    long longQuiet = (long) (1e9 * Math.max(0.5, fps > 0 ? 3 / fps : 0.5));
    long shortQuiet = caughtUpQuietNanos(fps, reportSeconds);
    long deadline = System.nanoTime() + (long) (MAX_SECONDS * 1e9);
    long seen = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = delivered.getAsLong();
      long quietFor = System.nanoTime() - since;
      if (now != seen) {
        seen = now;
        since = System.nanoTime();
      } else if (quietFor >= longQuiet || (now >= sent.getAsLong() && quietFor >= shortQuiet)) {
        return;
      }
      Thread.sleep(20);
    }
  }

  /** The quiet after which frames caught up with the reported sends count as arrived. */
  static long caughtUpQuietNanos(double fps, double reportSeconds) {
    return (long) (1e9 * Math.max(1.5 * reportSeconds, fps > 0 ? 2 / fps : 1.5 * reportSeconds));
  }
}
