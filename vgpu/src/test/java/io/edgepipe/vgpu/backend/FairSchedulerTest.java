package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's accounting, driven directly with jobs whose order is fixed by holding the device
 * thread (a control task waiting on a latch) while both lanes queue: no client threads, so no
 * dependence on how fast a loaded host wakes them. Durations are whatever the jobs really take;
 * the assertions compare the lanes' counters with each other, not with a clock.
 */
class FairSchedulerTest {
  private static final long LONG_JOB_MS = 20;

  /**
   * A lane that is owed device time and then goes idle (beyond any anticipation window) has its
   * debt forgiven when it comes back (idleness is not banked), and its entitlement forfeits the
   * same: afterwards busy - entitled is what the jobs since then make it, not the old debt. A lane
   * ahead keeps its surplus. (a's small weight puts it far ahead in virtual time after its long job,
   * so b is behind there too however long a loaded host makes b's own short jobs.)
   */
  @Test
  void aLateLanesForgivenDebtLeavesItsEntitlement() throws Exception {
    try (FairScheduler s = new FairScheduler("test-device", FairScheduler.Config.DEFAULT)) {
      FairScheduler.Lane a = s.register("a", 0.1);
      FairScheduler.Lane b = s.register("b", 0.9);

      // both queue at once (equal virtual times: a, registered first, goes first): a runs a long
      // job while b waits (b is entitled 0.9 of it), then b a short one (b alone is backlogged)
      CountDownLatch done1 = new CountDownLatch(2);
      runHeld(s, () -> {
        s.submit(a, job(LONG_JOB_MS, done1));
        s.submit(b, job(0, done1));
      });
      assertTrue(done1.await(10, TimeUnit.SECONDS));
      awaitJobs(s, a, 1);
      awaitJobs(s, b, 1);
      FairScheduler.LaneStats a1 = s.stats(a);
      FairScheduler.LaneStats b1 = s.stats(b);
      long longJob = a1.busyNanos();
      assertTrue(lag(b1) < -longJob / 2, "b is owed 0.9 of a's long job: " + b1 + " " + a1);
      assertTrue(lag(a1) > longJob / 2, "a is ahead by as much: " + a1);

      // b stays away far past its window; then a queues, and b comes back while a's job waits:
      // b starts at a's virtual time (its debt forgiven) and its entitlement forfeits the debt.
      // a's job then runs first with both backlogged (b entitled 0.9 of it), then b's alone.
      Thread.sleep(50);
      CountDownLatch done2 = new CountDownLatch(2);
      runHeld(s, () -> {
        s.submit(a, job(0, done2));
        s.submit(b, job(0, done2));
      });
      assertTrue(done2.await(10, TimeUnit.SECONDS));
      awaitJobs(s, a, 2);
      awaitJobs(s, b, 2);
      FairScheduler.LaneStats a2 = s.stats(a);
      FairScheduler.LaneStats b2 = s.stats(b);
      double expected = -0.9 * (a2.busyNanos() - a1.busyNanos());
      assertTrue(Math.abs(lag(b2) - expected) < TimeUnit.MILLISECONDS.toNanos(1), "b's forgiven debt ("
          + lag(b1) / 1e6 + " ms) left its entitlement: lag " + lag(b2) / 1e6 + " ms, expected " + expected / 1e6
          + " ms from a's second job alone (" + b2 + ")");
      assertTrue(lag(a2) > longJob / 2, "a, which was ahead, keeps its surplus: " + a2);
      assertEquals(2, b2.jobs());
    }
  }

  /** A lane that comes back in time (queued while the others run) keeps what it is owed. */
  @Test
  void aLaneThatStaysBackloggedKeepsItsDebt() throws Exception {
    try (FairScheduler s = new FairScheduler("test-device", FairScheduler.Config.DEFAULT)) {
      FairScheduler.Lane a = s.register("a", 0.5);
      FairScheduler.Lane b = s.register("b", 0.5);
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(3);
      runHeld(s, () -> {
        s.submit(a, () -> {
          started.countDown();
          await(release);
          spin(LONG_JOB_MS);
          done.countDown();
        });
        s.submit(b, job(0, done));
      });
      assertTrue(started.await(10, TimeUnit.SECONDS));
      // a's long job is running and b's job is queued: b is backlogged all along
      s.submit(b, job(0, done));
      release.countDown();
      assertTrue(done.await(10, TimeUnit.SECONDS));
      awaitJobs(s, b, 2);
      FairScheduler.LaneStats b1 = s.stats(b);
      long longJob = s.stats(a).busyNanos();
      assertTrue(lag(b1) < -longJob / 3, "b was never idle: it is still owed about half of a's job: " + b1);
    }
  }

  private static long lag(FairScheduler.LaneStats st) {
    return st.busyNanos() - st.entitledNanos();
  }

  /** Holds the device thread while {@code queue} submits, so that what it queues is picked by the policy alone. */
  private static void runHeld(FairScheduler s, Runnable queue) throws InterruptedException {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    s.control(() -> {
      holding.countDown();
      await(go);
    });
    assertTrue(holding.await(10, TimeUnit.SECONDS));
    queue.run();
    go.countDown();
  }

  /** The accounting follows a job's end under the scheduler's lock: wait until it is in. */
  private static void awaitJobs(FairScheduler s, FairScheduler.Lane lane, long jobs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (s.stats(lane).jobs() < jobs) {
      assertTrue(System.nanoTime() < deadline, "lane " + lane.id() + " did not run " + jobs + " jobs");
      Thread.sleep(1);
    }
  }

  private static Runnable job(long millis, CountDownLatch done) {
    return () -> {
      spin(millis);
      done.countDown();
    };
  }

  /** Keeps the device thread busy for at least {@code millis} of wall time. */
  private static void spin(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
