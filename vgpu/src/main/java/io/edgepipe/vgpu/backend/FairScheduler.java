package io.edgepipe.vgpu.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The device thread of a backend and its fGPU policy: weighted fair queuing by measured busy
 * time. Every device call of every session runs on this one thread (the device is not
 * thread-safe, and a GPU runs one tenant's batch at a time anyway).
 *
 * <p>Each session has a {@link Lane} with a weight (its fGPU) and a virtual time that grows by
 * {@code busy nanos / weight} per job. The thread always runs the queued job of the backlogged
 * lane with the smallest virtual time, so under contention the busy time of backlogged lanes
 * splits in proportion to their weights, and an idle lane's share goes to the others
 * (work-conserving).
 *
 * <p>Backlogged: a client sends its next batch only after the reply to the previous one, so a
 * saturating client's lane is empty for one round trip after each job. If the thread then served
 * whoever else is queued, every lane would get one turn in rotation and the weights would not
 * matter. So a lane counts as backlogged while it has a job queued or running, and also for a
 * short window after its last job (about twice its usual gap, an EWMA of measured gaps, at most
 * {@code maxAnticipationNanos}): while a lane that is behind (smaller virtual time than the best
 * queued lane) is in that window, the thread waits for it (anticipation). A lane whose usual gap
 * is longer than that is a client that really pauses (waiting for frames) and is not waited for.
 * A lane that was not backlogged when it sends again starts at the current virtual time, so
 * idleness is never banked as credit; what it was still owed is forfeited from its entitlement too.
 *
 * <p>Entitlement: after each job, its duration is also credited to every lane that was backlogged
 * when it was picked, in proportion to their weights (the share an ideal fluid scheduler would
 * have given them). {@code busy - entitled} is then how far a lane is from its fair share, whatever
 * the mix of busy and idle tenants over time; the status RPC and the tests read both.
 */
public final class FairScheduler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FairScheduler.class.getName());

  /**
   * Tuning. {@code maxAnticipationNanos}: the longest a lane stays backlogged after its last job
   * without sending a new one, i.e. the longest wait for a lane that is behind (0 disables
   * anticipation: lanes are backlogged only while they have a job queued).
   */
  public record Config(long maxAnticipationNanos) {
    public static final Config DEFAULT = new Config(TimeUnit.MILLISECONDS.toNanos(3));
  }

  /** One session's queue and accounting. Fields are guarded by the scheduler's lock. */
  public static final class Lane {
    private final String id;
    private final double weight;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private double vtime;
    private long busyNanos;
    private double entitledNanos;
    private long jobs;
    private long lastDone;
    private boolean served;
    private double gapEwma = -1;
    private boolean closed;

    private Lane(String id, double weight) {
      this.id = id;
      this.weight = weight;
    }

    public String id() {
      return id;
    }

    public double weight() {
      return weight;
    }
  }

  /**
   * A lane's counters at one instant: device time used, device time it was entitled to (its
   * weight's share of every job run while it was backlogged), and jobs run.
   */
  public record LaneStats(String id, double weight, long busyNanos, long entitledNanos, long jobs) {}

  private final Config config;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Lane> lanes = new ArrayList<>();
  private final ArrayDeque<Runnable> control = new ArrayDeque<>();
  private final Thread worker;
  private double virtualClock;
  private long totalBusyNanos;
  /** The lane whose job is running now (its next job may arrive before the accounting). */
  private Lane running;
  private boolean stopping;

  public FairScheduler(String threadName, Config config) {
    this.config = config;
    this.worker = new Thread(this::loop, threadName);
    worker.setDaemon(true);
    worker.start();
  }

  /** A new lane with weight {@code weight} (> 0), starting at the current virtual time. */
  public Lane register(String id, double weight) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("weight must be > 0, got " + weight);
    }
    Lane l = new Lane(id, weight);
    lock.lock();
    try {
      l.vtime = currentVirtualTime();
      lanes.add(l);
    } finally {
      lock.unlock();
    }
    return l;
  }

  /**
   * Queues {@code job} on the lane; it will run on the device thread and its run time is charged
   * to the lane. Returns false (and drops the job) when the lane is closed.
   */
  public boolean submit(Lane lane, Runnable job) {
    lock.lock();
    try {
      if (lane.closed || stopping) {
        return false;
      }
      if (lane.queue.isEmpty()) {
        arrive(lane, System.nanoTime());
      }
      lane.queue.add(job);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code task} on the device thread before any further job, without charging anyone. */
  public void control(Runnable task) {
    lock.lock();
    try {
      control.add(task);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Removes the lane; its queued jobs are dropped (a job already running finishes first). */
  public void unregister(Lane lane) {
    lock.lock();
    try {
      lane.closed = true;
      lane.queue.clear();
      lanes.remove(lane);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public LaneStats stats(Lane lane) {
    lock.lock();
    try {
      return new LaneStats(lane.id, lane.weight, lane.busyNanos, Math.round(lane.entitledNanos), lane.jobs);
    } finally {
      lock.unlock();
    }
  }

  /** Device busy time of all jobs run so far, lanes gone included. */
  public long totalBusyNanos() {
    lock.lock();
    try {
      return totalBusyNanos;
    } finally {
      lock.unlock();
    }
  }

  /** True when called on the device thread. */
  public boolean onDeviceThread() {
    return Thread.currentThread() == worker;
  }

  /** Runs the queued control tasks, drops the jobs, and ends the device thread. */
  @Override
  public void close() {
    lock.lock();
    try {
      stopping = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (!onDeviceThread()) {
      try {
        worker.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Bookkeeping when an empty lane gets a job: gap statistics and the idle rule. */
  private void arrive(Lane lane, long now) {
    if (lane == running) {
      // the reply went out and the client answered before the job's accounting: no gap
      lane.gapEwma = lane.gapEwma < 0 ? 0 : 0.75 * lane.gapEwma;
      return;
    }
    boolean wasBacklogged = inWindow(lane, now);
    if (lane.served) {
      long gap = now - lane.lastDone;
      lane.gapEwma = lane.gapEwma < 0 ? gap : 0.75 * lane.gapEwma + 0.25 * gap;
    }
    if (!wasBacklogged) {
      forgive(lane, currentVirtualTime());
    }
  }

  /**
   * A lane that comes back after being idle starts at virtual time {@code now} at the earliest:
   * idleness is never banked. A lane that was behind loses what it was still owed, and its
   * entitlement forfeits the same device time, so that {@code busy - entitled} keeps measuring the
   * scheduler's own promise: otherwise a lane late now and then (a client thread woken late on a
   * loaded host) would keep every forgiven debt in its entitlement and drift below it for good.
   * What is forfeited is the forgiven virtual time in device nanos, and never more than the lane's
   * debt (entitled - busy): a lane ahead keeps its surplus, and entitlement never falls below use.
   */
  private static void forgive(Lane lane, double now) {
    if (lane.vtime >= now) {
      return;
    }
    double forgiven = (now - lane.vtime) * lane.weight;
    double debt = lane.entitledNanos - lane.busyNanos;
    lane.entitledNanos -= Math.max(0, Math.min(forgiven, debt));
    lane.vtime = now;
  }

  /** True while an empty lane is still backlogged: within its window after its last job. */
  private boolean inWindow(Lane l, long now) {
    if (!l.served || l.gapEwma < 0 || l.gapEwma > config.maxAnticipationNanos()) {
      return false; // no history yet, or a client that pauses between batches
    }
    return now < l.lastDone + window(l);
  }

  private long window(Lane l) {
    return Math.min(config.maxAnticipationNanos(), (long) (2 * l.gapEwma) + 100_000L);
  }

  /** The smallest virtual time among queued lanes, or the clock of the last pick if none. */
  private double currentVirtualTime() {
    double v = Double.POSITIVE_INFINITY;
    for (Lane l : lanes) {
      if (!l.queue.isEmpty()) {
        v = Math.min(v, l.vtime);
      }
    }
    return v == Double.POSITIVE_INFINITY ? virtualClock : v;
  }

  /** How long to wait for a backlogged lane that is behind {@code best} but has no job queued. */
  private long anticipationDeadline(Lane best, long now) {
    long until = Long.MAX_VALUE;
    for (Lane l : lanes) {
      if (l != best && l.queue.isEmpty() && l.vtime < best.vtime && inWindow(l, now)) {
        until = Math.min(until, l.lastDone + window(l));
      }
    }
    return until == Long.MAX_VALUE ? now : until;
  }

  /** The lanes backlogged now (queued, or empty but in their window), for entitlement. */
  private List<Lane> backlogged(long now) {
    List<Lane> b = new ArrayList<>();
    for (Lane l : lanes) {
      if (!l.queue.isEmpty() || inWindow(l, now)) {
        b.add(l);
      }
    }
    return b;
  }

  private void loop() {
    while (true) {
      Runnable task;
      Lane lane = null;
      List<Lane> entitled = null;
      lock.lock();
      try {
        while (true) {
          if (!control.isEmpty()) {
            task = control.poll();
            break;
          }
          if (stopping) {
            return;
          }
          Lane best = null;
          for (Lane l : lanes) {
            if (!l.queue.isEmpty() && (best == null || l.vtime < best.vtime)) {
              best = l;
            }
          }
          if (best == null) {
            changed.awaitUninterruptibly();
            continue;
          }
          long now = System.nanoTime();
          long until = anticipationDeadline(best, now);
          if (until > now) {
            changed.awaitNanos(until - now);
            continue;
          }
          lane = best;
          running = best;
          entitled = backlogged(now);
          task = best.queue.poll();
          virtualClock = Math.max(virtualClock, best.vtime);
          break;
        }
      } catch (InterruptedException e) {
        // not expected: the thread is private; keep serving
        continue;
      } finally {
        lock.unlock();
      }
      long t0 = System.nanoTime();
      try {
        task.run();
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "device job failed outside its own error handling", t);
      }
      long t1 = System.nanoTime();
      if (lane != null) {
        lock.lock();
        try {
          long dt = t1 - t0;
          lane.busyNanos += dt;
          lane.jobs++;
          lane.vtime += dt / lane.weight;
          lane.lastDone = t1;
          lane.served = true;
          totalBusyNanos += dt;
          running = null;
          double weights = 0;
          for (Lane l : entitled) {
            weights += l.weight;
          }
          for (Lane l : entitled) {
            l.entitledNanos += dt * l.weight / weights;
          }
        } finally {
          lock.unlock();
        }
      }
    }
  }
}
