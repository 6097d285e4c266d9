package io.edgepipe.models.plan;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The CPU the threads that run a model spend: the calling thread plus the common fork-join pool's
 * workers, which run the kernels' other bands ({@code Bands} hands them out there when the caller
 * is not itself a pool worker, as a service's request thread is not).
 *
 * <p>Beside the process's clock, which also counts the JIT's compiler threads and the GC's: it
 * tells how much of a profile's CPU figure is the model's own work (on the testbed 40-60%). Plans
 * still charge the process's figure, since a chain pays its GC and, on the edge, its producer and
 * sink too ({@link LayerProfiler}).
 *
 * <p>A worker that ends inside the window takes its CPU with it (the pool retires idle workers
 * after a minute; a busy window keeps them), so the figure can only be short, never padded.
 */
final class ModelThreadsCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Long, Long> start;

  private ModelThreadsCpu(Map<Long, Long> start) {
    this.start = start;
  }

  /** Whether this JVM measures threads' CPU time; without it {@link #start} reads nothing. */
  static boolean supported() {
    return THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
  }

  /** Starts a window on the calling thread (call it, and {@link #elapsedNanos}, on the thread that runs the model). */
  static ModelThreadsCpu start() {
    return new ModelThreadsCpu(now());
  }

  /** The CPU the calling thread and the pool's workers spent since {@link #start}, ns; 0 where unsupported. */
  long elapsedNanos() {
    long sum = 0;
    for (Map.Entry<Long, Long> e : now().entrySet()) {
      sum += e.getValue() - start.getOrDefault(e.getKey(), 0L); // a worker started in the window: all of its CPU
    }
    return sum;
  }

  /** Each model thread's CPU time so far, by thread id. */
  private static Map<Long, Long> now() {
    Map<Long, Long> cpu = new HashMap<>();
    if (!supported()) {
      return cpu;
    }
    cpu.put(Thread.currentThread().getId(), THREADS.getCurrentThreadCpuTime());
    ForkJoinPool common = ForkJoinPool.commonPool();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t instanceof ForkJoinWorkerThread w && w.getPool() == common) {
        long ns = THREADS.getThreadCpuTime(t.getId());
        if (ns >= 0) { // -1: it ended meanwhile
          cpu.put(t.getId(), ns);
        }
      }
    }
    return cpu;
  }
}
