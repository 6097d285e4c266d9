package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.bench.RawSession;
import io.edgepipe.vgpu.proto.Arg;
import io.edgepipe.vgpu.proto.GetFunction;
import io.edgepipe.vgpu.proto.Launch;
import io.edgepipe.vgpu.proto.LoadModule;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.proto.StatusReply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * fGPU enforcement measured in device busy time (not wall-clock): tenants with different fGPU
 * all saturate the device with equal-cost synthetic launches. Over a window, each tenant's share
 * of the busy time must be within 5 percentage points of its fGPU normalised over the tenants
 * that were backlogged, i.e. of the device time it was entitled to (the scheduler credits every
 * job to the tenants backlogged at the time, in proportion to their fGPU). When every tenant
 * stayed backlogged nearly all the time (a loaded 2-core machine can starve a client thread), the
 * plain share must also be within 5 points of fGPU / sum(fGPU).
 */
class FairShareTest {
  private static final int SPIN_MICROS = 250;
  private static final int LAUNCHES_PER_BATCH = 4; // 1 ms of device time per round trip
  /** Batches a saturating client keeps in flight (see {@link #client}). */
  private static final int IN_FLIGHT = 3;
  private static final io.edgepipe.vgpu.proto.Dim3 ONE = io.edgepipe.vgpu.proto.Dim3.newBuilder().setX(1).setY(1).setZ(1).build();
  /** What went wrong in a client thread (a failed batch, a missing reply). */
  private static final List<String> PROBLEMS = java.util.Collections.synchronizedList(new ArrayList<>());
  private static final long WARMUP_MS = 300;
  /**
   * Long enough that a lag left at the window's end is small against the window. WFQ keeps each
   * lane within about one job of its share, but on a loaded 2-core host the device thread is
   * preempted inside a job, which then lasts tens of ms of wall time (at load 40, 650 batches of
   * 1 ms ran in 2.5 s); the lane that ran it is ahead by that much until the others have caught up,
   * which for a light lane takes hundreds of ms. Over 2.5 s such a lag was 2-3 pp (and past 5 pp now
   * and then); over 6 s the same lag is under half that.
   */
  private static final long WINDOW_MS = 6000;
  /**
   * Every tenant is admitted: the spin device allocates nothing, so its memory and the host
   * budget are declared large enough for eight sessions (admission is HostileTenantTest's topic).
   */
  private static final BackendLimits ROOMY = BackendLimits.defaults().withDeviceMemory(64L << 30, 0)
      .withMessages(64 << 20, 4L << 30);

  @Test
  void twoTenants() throws Exception {
    check(new double[] {0.7, 0.3});
  }

  @Test
  void fourTenants() throws Exception {
    check(new double[] {0.4, 0.3, 0.2, 0.1});
  }

  @Test
  void eightTenants() throws Exception {
    check(new double[] {0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05, 0.05});
  }

  /** An idle tenant's share is not wasted: a light user leaves the rest to a saturating one. */
  @Test
  void idleShareGoesToOthers() throws Exception {
    Map<String, String> tokens = Map.of("big", "t-big", "small", "t-small");
    try (InProcessBackend b = new InProcessBackend(new SpinGpu(), TokenStore.of(tokens), ROOMY)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      // "big" has fGPU 0.8 but uses ~1/6 of the device (1 ms of work, then 5 ms of pause)
      threads.add(client(b, "big", "t-big", 0.8, 5, stop));
      threads.add(client(b, "small", "t-small", 0.2, 0, stop));
      Window w = measure(b, threads, stop);
      System.out.printf("fGPU idle share: big(0.8, light)=%.3f small(0.2, saturating)=%.3f "
          + "(entitled %.3f / %.3f)%n", w.share("big"), w.share("small"), w.entitledShare("big"), w.entitledShare("small"));
      assertTrue(w.share("small") > 0.6, "the saturating tenant gets the idle share: " + w);
      // one-sided: under a loaded machine the light tenant's client thread may be late, which only
      // lowers what "small" gets; the share accuracy itself is checked by the 2/4/8-tenant tests
      assertTrue(w.share("small") - w.entitledShare("small") <= 0.05, "and no more than its entitlement: " + w);
    }
  }

  private void check(double[] fgpu) throws Exception {
    Map<String, String> tokens = new HashMap<>();
    for (int i = 0; i < fgpu.length; i++) {
      tokens.put("t" + i, "tok" + i);
    }
    try (InProcessBackend b = new InProcessBackend(new SpinGpu(), TokenStore.of(tokens), ROOMY)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < fgpu.length; i++) {
        threads.add(client(b, "t" + i, "tok" + i, fgpu[i], 0, stop));
      }
      Window w = measure(b, threads, stop);
      double sum = 0;
      for (double f : fgpu) {
        sum += f;
      }
      double worstEntitled = 0;
      double worstPlain = 0;
      double coverage = Double.POSITIVE_INFINITY;
      StringBuilder report = new StringBuilder();
      for (int i = 0; i < fgpu.length; i++) {
        String t = "t" + i;
        double got = w.share(t);
        double entitled = w.entitledShare(t);
        double plain = fgpu[i] / sum;
        worstEntitled = Math.max(worstEntitled, Math.abs(got - entitled));
        worstPlain = Math.max(worstPlain, Math.abs(got - plain));
        coverage = Math.min(coverage, entitled / plain);
        report.append(String.format(" t%d %.3f/%.3f/%.3f lag %+.1f->%+.1f ms", i, got, entitled, plain,
            w.lagStart(t) / 1e6, w.lagEnd(t) / 1e6));
      }
      System.out.printf("fGPU %d tenants: max error %.2f pp vs entitlement, %.2f pp vs fGPU/sum "
          + "(backlog coverage >= %.2f; busy %.0f ms, %d batches in %.0f ms);%s (busy/entitled/fGPU share)%n",
          fgpu.length, 100 * worstEntitled, 100 * worstPlain, coverage, w.total / 1e6, w.batches, w.wallNanos / 1e6, report);
      assertTrue(worstEntitled <= 0.05, "busy share off its entitlement by " + (100 * worstEntitled) + " pp:" + report);
      // the plain fGPU/sum split is only expected when every tenant was backlogged all along; on a
      // loaded 2-core machine a client thread is sometimes late, which the entitlement accounts for
      if (coverage >= 0.97) {
        assertTrue(worstPlain <= 0.05, "busy share off fGPU/sum by " + (100 * worstPlain) + " pp:" + report);
      }
    }
  }

  /** Busy and entitled device time per tenant over the measuring window. */
  private record Window(Map<String, Long> busy, Map<String, Long> entitled, long total, long batches, long wallNanos,
      Map<String, Long> lag0, Map<String, Long> lag1) {
    /** busy - entitled nanos at the window's start and end: how far from its fair share a tenant was. */
    long lagStart(String tenant) {
      return lag0.getOrDefault(tenant, 0L);
    }

    long lagEnd(String tenant) {
      return lag1.getOrDefault(tenant, 0L);
    }

    double share(String tenant) {
      return (double) busy.getOrDefault(tenant, 0L) / total;
    }

    double entitledShare(String tenant) {
      return (double) entitled.getOrDefault(tenant, 0L) / total;
    }
  }

  /** Runs the clients; busy and entitled time of each tenant over the window after warm-up. */
  private static Window measure(InProcessBackend b, List<Thread> threads, AtomicBoolean stop)
      throws InterruptedException {
    PROBLEMS.clear();
    threads.forEach(Thread::start);
    try {
      Thread.sleep(WARMUP_MS);
      StatusReply s0 = b.backend.status();
      long t0 = System.nanoTime();
      Thread.sleep(WINDOW_MS);
      StatusReply s1 = b.backend.status();
      long wall = System.nanoTime() - t0;
      Map<String, Long> busy = delta(byTenant(s0, SessionStatus::getBusyNanos), byTenant(s1, SessionStatus::getBusyNanos));
      Map<String, Long> entitled = delta(byTenant(s0, SessionStatus::getEntitledNanos),
          byTenant(s1, SessionStatus::getEntitledNanos));
      long total = busy.values().stream().mapToLong(Long::longValue).sum();
      long batches = delta(byTenant(s0, SessionStatus::getBatches), byTenant(s1, SessionStatus::getBatches))
          .values().stream().mapToLong(Long::longValue).sum();
      return new Window(busy, entitled, total, batches, wall, lag(s0), lag(s1));
    } finally {
      stop.set(true);
      for (Thread t : threads) {
        t.join(5000);
      }
      assertTrue(PROBLEMS.isEmpty(), "clients failed: " + PROBLEMS);
    }
  }

  private static Map<String, Long> lag(StatusReply s) {
    Map<String, Long> m = new HashMap<>();
    for (SessionStatus st : s.getSessionsList()) {
      m.merge(st.getTenant(), st.getBusyNanos() - st.getEntitledNanos(), Long::sum);
    }
    return m;
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new HashMap<>();
    after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
    return d;
  }

  private static Map<String, Long> byTenant(StatusReply s, ToLongFunction<SessionStatus> field) {
    Map<String, Long> m = new HashMap<>();
    for (SessionStatus st : s.getSessionsList()) {
      m.merge(st.getTenant(), field.applyAsLong(st), Long::sum);
    }
    return m;
  }

  /**
   * A tenant's client on a raw session stream. A saturating one ({@code pauseMs} 0) keeps
   * {@link #IN_FLIGHT} batches in flight, as a pipelined client does, so its lane never runs dry:
   * with one batch at a time, a client thread that a loaded host wakes late leaves its lane empty
   * past the scheduler's anticipation window, the scheduler then forgives the lane's debt (idle
   * time is never banked) while its entitlement keeps it, and heavy tenants drifted 50-200 ms
   * below their entitlement over a window. A pausing one sends a batch, reads its reply, sleeps.
   */
  private static Thread client(InProcessBackend b, String tenant, String token, double fgpu, long pauseMs,
      AtomicBoolean stop) {
    Thread t = new Thread(() -> {
      RawSession s = new RawSession(b.channel, token);
      try {
        s.open(fgpu, 1);
        long module = handle(s, 1, Op.newBuilder().setLoadModule(LoadModule.newBuilder().setName(SpinGpu.MODULE)).build());
        long spin = handle(s, 2, Op.newBuilder().setGetFunction(GetFunction.newBuilder().setModule(module)
            .setName(SpinGpu.SPIN)).build());
        Op launch = Op.newBuilder().setLaunch(Launch.newBuilder().setFunction(spin).setGrid(ONE).setBlock(ONE)
            .addArgs(Arg.newBuilder().setI32(SPIN_MICROS))).build();
        List<Op> batch = java.util.Collections.nCopies(LAUNCHES_PER_BATCH, launch);
        int inFlight = pauseMs > 0 ? 1 : IN_FLIGHT;
        s.requestReplies(inFlight - 1); // read() asks for one more reply each time: inFlight stay allowed
        long seq = 3;
        for (int i = 0; i < inFlight; i++) {
          s.batch(seq++, batch);
        }
        while (!stop.get()) {
          ServerMessage r = s.read(5_000);
          if (r == null || r.getResult().hasError()) {
            PROBLEMS.add(tenant + ": " + (r == null ? "no reply within 5 s" : r.getResult().getError().getMessage()));
            return;
          }
          if (pauseMs > 0) {
            Thread.sleep(pauseMs);
          }
          s.batch(seq++, batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        s.cancel();
      }
    }, "client-" + tenant);
    t.setDaemon(true);
    return t;
  }

  /** Sends a one-op batch and returns the handle its reply carries. */
  private static long handle(RawSession s, long seq, Op op) throws InterruptedException {
    s.batch(seq, List.of(op));
    ServerMessage r = s.read(5_000);
    if (r == null || r.getResult().getHandlesCount() != 1) {
      throw new IllegalStateException("no handle for " + op + ": " + r);
    }
    return r.getResult().getHandles(0);
  }
}
