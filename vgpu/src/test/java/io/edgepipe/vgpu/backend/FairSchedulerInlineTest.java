package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link FairScheduler#submitOrRun}: a job runs on its caller's thread only when the device is
 * idle and no other lane is owed it, is charged like any job, and never overlaps another job or
 * control task.
 */
class FairSchedulerInlineTest {
  private static final long MAX = 50_000_000L;
  /** No anticipation: a lane is backlogged only while it has a job queued. */
  private static final FairScheduler.Config NO_WINDOW = new FairScheduler.Config(0);

  @Test
  void idleDeviceRunsShortJobsOnTheCallersThread() throws Exception {
    try (FairScheduler s = new FairScheduler("device", NO_WINDOW)) {
      FairScheduler.Lane lane = s.register("a", 1.0);
      // no history yet: the first job goes to the device thread
      assertEquals("device", runAndName(s, lane));
      // a short lane on an idle device: here
      assertEquals(Thread.currentThread().getName(), runAndName(s, lane));
      FairScheduler.LaneStats st = s.stats(lane);
      assertEquals(2, st.jobs(), "both jobs are charged to the lane");
      assertTrue(st.busyNanos() > 0 && st.entitledNanos() == st.busyNanos(), "alone, it is entitled to all it used: " + st);
    }
  }

  @Test
  void longJobsStayOnTheDeviceThread() throws Exception {
    try (FairScheduler s = new FairScheduler("device", NO_WINDOW)) {
      FairScheduler.Lane lane = s.register("a", 1.0);
      for (int i = 0; i < 3; i++) {
        String where = runAndName(s, lane, 1_000L, () -> sleep(5));
        assertEquals("device", where, "a lane whose jobs take longer than the bound is never run by its caller");
      }
    }
  }

  @Test
  void aBackloggedLaneSendsTheJobToTheQueue() throws Exception {
    try (FairScheduler s = new FairScheduler("device", NO_WINDOW)) {
      FairScheduler.Lane a = s.register("a", 0.5);
      FairScheduler.Lane b = s.register("b", 0.5);
      runAndName(s, a); // history
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      s.submit(b, () -> {
        started.countDown();
        await(release);
      });
      assertTrue(started.await(5, TimeUnit.SECONDS));
      List<String> order = new CopyOnWriteArrayList<>();
      CountDownLatch ran = new CountDownLatch(1);
      assertTrue(s.submitOrRun(a, () -> {
        order.add(Thread.currentThread().getName());
        ran.countDown();
      }, MAX), "queued while b holds the device");
      assertTrue(order.isEmpty(), "nothing ran on the caller's thread while the device was busy");
      release.countDown();
      assertTrue(ran.await(5, TimeUnit.SECONDS));
      assertEquals(List.of("device"), order);
    }
  }

  @Test
  void nothingRunsBesideABorrowedDevice() throws Exception {
    try (FairScheduler s = new FairScheduler("device", NO_WINDOW)) {
      FairScheduler.Lane a = s.register("a", 1.0);
      runAndName(s, a);
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      List<String> events = new CopyOnWriteArrayList<>();
      Thread caller = new Thread(() -> s.submitOrRun(a, () -> {
        events.add("job start");
        inside.countDown();
        await(release);
        events.add("job end");
      }, MAX), "caller");
      caller.start();
      assertTrue(inside.await(5, TimeUnit.SECONDS));
      CountDownLatch controlRan = new CountDownLatch(1);
      s.control(() -> {
        events.add("control");
        controlRan.countDown();
      });
      FairScheduler.Lane b = s.register("b", 1.0);
      s.submit(b, () -> events.add("other job"));
      assertFalse(controlRan.await(200, TimeUnit.MILLISECONDS), "the device thread waits for the borrowed device");
      release.countDown();
      caller.join(5_000);
      assertTrue(controlRan.await(5, TimeUnit.SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (events.size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of("job start", "job end", "control", "other job"), events);
      assertNotEquals(0, s.stats(a).busyNanos());
    }
  }

  private static String runAndName(FairScheduler s, FairScheduler.Lane lane) throws InterruptedException {
    return runAndName(s, lane, MAX, () -> {});
  }

  /** Submits a job with {@link FairScheduler#submitOrRun}, waits for it, returns the thread it ran on. */
  private static String runAndName(FairScheduler s, FairScheduler.Lane lane, long max, Runnable body)
      throws InterruptedException {
    long before = s.stats(lane).jobs();
    AtomicReference<String> where = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    assertTrue(s.submitOrRun(lane, () -> {
      body.run();
      where.set(Thread.currentThread().getName());
      done.countDown();
    }, max));
    assertTrue(done.await(5, TimeUnit.SECONDS));
    // the job's accounting (which frees the device) follows its end
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (s.stats(lane).jobs() == before && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    return where.get();
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
