package io.edgepipe.models.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ModelThreadsCpuTest {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final long MS = 1_000_000L;

  /** Spins until this thread has spent {@code ns} of CPU (not wall time: the machine may be loaded). */
  private static void burn(long ns) {
    long until = THREADS.getCurrentThreadCpuTime() + ns;
    while (THREADS.getCurrentThreadCpuTime() < until) {
      Thread.onSpinWait();
    }
  }

  @Test
  void countsTheCallerAndTheCommonPoolsWorkersButNotABusyThreadOfItsOwn() throws Exception {
    assumeTrue(ModelThreadsCpu.supported(), "needs a JVM that measures threads' CPU time");
    AtomicBoolean stop = new AtomicBoolean();
    Thread other = new Thread(() -> {
      while (!stop.get()) {
        Thread.onSpinWait();
      }
    }, "not-the-model");
    other.start();
    try {
      ModelThreadsCpu window = ModelThreadsCpu.start();
      Thread.sleep(300); // the other thread spins all this time: none of it is the model's
      long idle = window.elapsedNanos();
      assertTrue(idle < 100 * MS, "a sleeping caller beside a busy thread: " + idle / MS + " ms");

      window = ModelThreadsCpu.start();
      burn(100 * MS);
      ForkJoinPool.commonPool().submit(() -> burn(100 * MS)).get();
      long busy = window.elapsedNanos();
      assertTrue(busy >= 200 * MS, "100 ms on the caller + 100 ms on a pool worker: " + busy / MS + " ms");
    } finally {
      stop.set(true);
      other.join();
    }
  }
}
