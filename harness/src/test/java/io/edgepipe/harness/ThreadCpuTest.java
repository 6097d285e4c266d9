package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Splitting a process's CPU by thread group from /proc. */
class ThreadCpuTest {
  @Test
  void groupsDropTheThreadNumbering() {
    assertEquals("grpc-server-ELG", ThreadCpu.group("grpc-server-ELG"));
    assertEquals("grpc-client-ELG", ThreadCpu.group("grpc-client-ELG-1-3"));
    assertEquals("GC Thread", ThreadCpu.group("GC Thread#1"));
    assertEquals("C2 CompilerThre", ThreadCpu.group("C2 CompilerThre"));
    assertEquals("ForkJoinPool.co", ThreadCpu.group("ForkJoinPool.co"));
    assertEquals("conv-inbox", ThreadCpu.group("conv-inbox"));
    assertEquals("42", ThreadCpu.group("42")); // a name that is all number stays itself
  }

  @Test
  void compilerThreadsAreTold() {
    assertTrue(ThreadCpu.isCompiler(ThreadCpu.group("C2 CompilerThre")));
    assertTrue(ThreadCpu.isCompiler(ThreadCpu.group("C1 CompilerThre")));
    assertFalse(ThreadCpu.isCompiler(ThreadCpu.group("grpc-default-ex")));
  }

  @Test
  void aBusyThreadShowsUnderItsGroup() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    long pid = ProcessHandle.current().pid();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch stop = new CountDownLatch(1);
    Thread busy = new Thread(() -> {
      started.countDown();
      long spin = System.nanoTime() + 50_000_000L;
      long x = 0;
      while (System.nanoTime() < spin) {
        x += System.nanoTime() & 1; // keeps the CPU busy for 50 ms
      }
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (x == 42) {
        System.out.print("");
      }
    }, "cputest-7");
    ThreadCpu before = ThreadCpu.of(pid);
    busy.start();
    started.await();
    Thread.sleep(200);
    ThreadCpu after = ThreadCpu.of(pid);
    stop.countDown();
    busy.join();
    Map<String, ThreadCpu.Usage> used = after.since(before);
    ThreadCpu.Usage u = used.get("cputest");
    assertNotNull(u, used.keySet().toString());
    assertTrue(u.cpuNanos() >= 20_000_000L, "CPU of the busy thread: " + u.cpuNanos() + " ns");
    assertTrue(u.waits() >= 1, "it blocked at least once (on the latch)");
  }

  @Test
  void aProcessThatIsGoneHasNoThreads() {
    assertTrue(ThreadCpu.of(Long.MAX_VALUE).since(ThreadCpu.of(Long.MAX_VALUE)).isEmpty());
  }
}
