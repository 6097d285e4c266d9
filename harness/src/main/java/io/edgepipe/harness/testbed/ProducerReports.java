package io.edgepipe.harness.testbed;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The producer's periodic delivery reports as a {@link PartitionSweep} reads them: kept in
 * arrival order, the oldest half dropped when more than {@code capacity} pile up (windows look
 * back seconds, a sweep runs for many minutes), and waited for one at a time.
 *
 * <p>Waiting for "the next report" counts reports received, never the list's size: the size
 * drops when old reports are pruned, so a wait that compared it with the size before would see
 * no new report after a prune and time out (a sweep of 159 cuts stopped so).
 */
final class ProducerReports {
  /**
   * One report: frames delivered so far and what arrived since the last report.
   *
   * @param paths      the stage@node paths the report's frames took
   * @param pathFrames frames per path, in the order of {@code paths}
   */
  record Report(long atMs, long delivered, long[] latencyUs, List<List<String>> paths, List<Long> pathFrames) {}

  private final int capacity;
  private final List<Report> reports = new ArrayList<>();
  private long received;

  /** @param capacity most reports kept; past it the oldest half is dropped */
  ProducerReports(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity " + capacity + " < 2");
    }
    this.capacity = capacity;
  }

  /** Adds a report and wakes whoever waits for one. */
  synchronized void add(Report r) {
    reports.add(r);
    received++;
    if (reports.size() > capacity) {
      reports.subList(0, capacity / 2).clear();
    }
    notifyAll();
  }

  /** Wakes every waiter (the producer exited: they check and fail). */
  synchronized void wake() {
    notifyAll();
  }

  /** Reports received so far, pruned ones included: a mark for {@link #nextAfter}. */
  synchronized long received() {
    return received;
  }

  /** Frames delivered as of the latest report (0 before any). */
  synchronized long delivered() {
    return reports.isEmpty() ? 0 : reports.get(reports.size() - 1).delivered();
  }

  /** The reports after {@code fromMs} up to {@code toMs} (inclusive), oldest first. */
  synchronized List<Report> between(long fromMs, long toMs) {
    List<Report> out = new ArrayList<>();
    for (Report r : reports) {
      if (r.atMs() > fromMs && r.atMs() <= toMs) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * The latest report once more than {@code mark} reports have been received (a mark taken with
   * {@link #received()}), or null after {@code timeoutNanos}.
   *
   * @param failed checked while waiting; true stops the wait (null)
   */
  synchronized Report nextAfter(long mark, long timeoutNanos, BooleanSupplier failed) throws InterruptedException {
    return await(() -> received > mark ? reports.get(reports.size() - 1) : null, timeoutNanos, failed);
  }

  /** The first report later than {@code after}, or null after {@code timeoutNanos} (or once {@code failed}). */
  synchronized Report nextAfter(Report after, long timeoutNanos, BooleanSupplier failed) throws InterruptedException {
    return await(() -> {
      for (Report r : reports) {
        if (r.atMs() > after.atMs()) {
          return r;
        }
      }
      return null;
    }, timeoutNanos, failed);
  }

  private Report await(java.util.function.Supplier<Report> found, long timeoutNanos, BooleanSupplier failed)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      Report r = found.get();
      if (r != null) {
        return r;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || failed.getAsBoolean()) {
        return null;
      }
      wait(Math.max(1, Math.min(left / 1_000_000, 500)));
    }
  }
}
