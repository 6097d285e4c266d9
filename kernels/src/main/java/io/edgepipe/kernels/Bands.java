package io.edgepipe.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs bands {@code 0..n-1} of a kernel on the calling thread and the pool's other threads, each
 * thread claiming the next unclaimed band until none is left.
 *
 * <p>Why not a parallel stream: a stream splits the range in halves, and a pool thread that
 * steals a half and is then descheduled (a busy machine, a CPU quota) makes the caller wait for
 * that whole half. Here a late helper finds the bands already claimed, and a descheduled one
 * holds back at most the one band it is running. The caller waits only for bands that were
 * claimed, so helpers that never get to run cost nothing.
 *
 * <p>Helpers run in the pool the caller is in (so a kernel called inside a one-thread
 * ForkJoinPool runs on that one thread), else in the common pool.
 *
 * <p>Public so that the model layer kinds' CPU twins share this pool and its claiming rule.
 */
public final class Bands {
  /** How long the caller spins for helpers' unfinished bands before it blocks. */
  private static final long SPIN_NANOS = 200_000;
  /** System property: the most threads a kernel uses in this JVM (the caller included); unset or 0: no limit. */
  public static final String THREADS_PROPERTY = "edgepipe.kernel.threads";

  /** The limit, 0 for none; set once at start, before kernels run (read on every launch). */
  private static volatile int limit = Math.max(0, Integer.getInteger(THREADS_PROPERTY, 0));

  private Bands() {}

  /**
   * Limits the threads every kernel of this JVM uses to {@code threads} (the caller included; 0:
   * no limit). For a process that shares the machine's cores with other busy processes (the
   * stages of one chain on one host): there a helper thread finds no idle core, so waking it,
   * and waiting or spinning for the band it claimed, costs CPU and adds nothing.
   */
  public static void limitThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("kernel threads must be >= 0 (0: no limit), got " + threads);
    }
    limit = threads;
  }

  /** How many bands to cut a kernel into: a few per thread so that claiming balances the load. */
  public static int count(int rows) {
    return Math.max(1, Math.min(rows, 4 * threads()));
  }

  /** Threads a kernel may use from here: this one plus the other threads of its pool, at most the {@link #limitThreads limit}. */
  public static int threads() {
    ForkJoinPool pool = ForkJoinTask.inForkJoinPool() ? ForkJoinTask.getPool() : ForkJoinPool.commonPool();
    int threads = ForkJoinTask.inForkJoinPool() ? pool.getParallelism() : pool.getParallelism() + 1;
    int cap = limit;
    return cap > 0 ? Math.min(cap, threads) : threads;
  }

  public static void run(int n, IntConsumer band) {
    int helpers = Math.min(n, threads()) - 1;
    if (helpers <= 0) {
      for (int b = 0; b < n; b++) {
        band.accept(b);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Object finished = new Object();
    Runnable claim = () -> {
      for (int b = next.getAndIncrement(); b < n; b = next.getAndIncrement()) {
        try {
          band.accept(b);
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          if (done.incrementAndGet() == n) {
            synchronized (finished) {
              finished.notifyAll();
            }
          }
        }
      }
    };
    ForkJoinPool pool = ForkJoinTask.inForkJoinPool() ? ForkJoinTask.getPool() : ForkJoinPool.commonPool();
    for (int i = 0; i < helpers; i++) {
      pool.execute(claim);
    }
    claim.run();
    // bands that helpers claimed are still running: spin for them a while before blocking. A band
    // takes microseconds; blocking gives this thread's core away, and on a busy machine getting it
    // back takes a whole scheduling round (milliseconds), far longer than the band itself
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    while (done.get() < n && System.nanoTime() < spinUntil) {
      Thread.onSpinWait();
    }
    boolean interrupted = false;
    synchronized (finished) {
      while (done.get() < n) { // bands claimed by helpers still running: the output is not complete
        try {
          finished.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
  }
}
