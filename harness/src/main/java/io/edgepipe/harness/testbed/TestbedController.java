package io.edgepipe.harness.testbed;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.control.LiveProfile;
import io.edgepipe.planner.control.Replanner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.testbed.TestbedState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The adaptive controller on the testbed: the {@link Replanner} (hysteresis: margin, dwell,
 * cooldown) fed with what the frames carry (their per-stage timings, {@link TimingWindow}) and
 * what the nodes say ({@link Sensors}: the link's rate and the edge's CPU quota), evaluated
 * every tick, and the chain moved with {@link TestbedRun#moveTo} when it says so. Records a
 * timeline (frames delivered and placement per report) and every move, for `run --adaptive`'s
 * summary and experiment E7.
 */
public final class TestbedController implements TestbedRun.AdaptiveListener {
  /** What the nodes report now. */
  public interface Sensors {
    /** The edge-server link's rate, bit/s. */
    double linkBitsPerSec();

    /** The edge node's CPU in cores (its quota); 0 = unlimited. */
    double edgeCores();

    /**
     * CPU seconds so far of the JIT compiler threads of the JVM that runs {@code stage} on
     * {@code tier}'s node; NaN when not known (then its CPU readings count as they come).
     */
    default double compileSeconds(String stage, Tier tier) {
      return Double.NaN;
    }
  }

  /** One report of the frames: when (s since the main phase began), how many so far, and on which path most went. */
  /**
   * One report as the controller saw it.
   *
   * @param lastDeliveredAt when the last frame so far was delivered, on the same clock as
   *                        {@code atSeconds} (NaN before any)
   */
  public record Sample(double atSeconds, long delivered, String path, long[] latencyUs, double lastDeliveredAt) {}

  /**
   * One move: decided at {@code decidedAt} (s since the main phase began; {@code conditionSeenAt}:
   * when the sensors last saw the link's rate or the edge's quota change before it, NaN if never),
   * and what it took in ms from the decision (see {@link TestbedRun.Move}): new instances
   * listening, new frames on the new placement ({@code switchedMs}), the old instances done
   * ({@code drainedMs}).
   */
  public record MoveEvent(double decidedAt, double conditionSeenAt, Placement from, Placement to, String reason,
      long startedMs, long switchedMs, long drainedMs, boolean drained, List<String> stages) {}

  private final Replanner replanner;
  private final Sensors sensors;
  private final double serverCores;
  private final Duration tick;
  private final Duration settle;
  private final Consumer<String> log;
  private final boolean adapt;
  private final List<Sample> samples = new ArrayList<>();
  private final List<MoveEvent> moves = new ArrayList<>();
  private final Map<String, Instant> freshUntil = new HashMap<>(); // "stage|tier" -> settled after
  private final Map<Long, double[]> standbyCpu = new HashMap<>(); // standby PID -> {CPU s, nanoTime} last read
  private final Map<String, Double> compiledSoFar = new HashMap<>(); // "stage|tier" -> compile CPU s at its last report
  private final Map<String, Integer> leftOutCompiling = new java.util.TreeMap<>(); // "stage/tier" -> readings left out
  private Instant lastMoveAt; // when the last move ended (standbys' idle readings wait STANDBY_QUIET_S after it)
  private volatile TestbedRun run;
  private volatile boolean running;
  private volatile boolean paused;
  private Thread loop;
  private long startNanos;
  private String failure;
  private String lastReason = "";
  private long ticks;
  private double lastEdgeCores = Double.NaN;
  private double lastLinkBps = Double.NaN;
  private double conditionSeenAt = Double.NaN;

  /**
   * @param serverCores the server node's cores for the planner (the host's on the testbed)
   * @param tick        how often the controller reads the nodes and re-plans
   * @param settle      how long a stage just started on a node is left out of the compute figures
   * @param log         hears one line per decision that changes something
   */
  public TestbedController(Replanner replanner, Sensors sensors, double serverCores, Duration tick, Duration settle,
      Consumer<String> log) {
    this(replanner, sensors, serverCores, tick, settle, log, true);
  }

  /**
   * @param adapt false: only watch (record the timeline and keep the profile), never move; a
   *              static placement's run under the same schedule, for comparison
   */
  public TestbedController(Replanner replanner, Sensors sensors, double serverCores, Duration tick, Duration settle,
      Consumer<String> log, boolean adapt) {
    this.adapt = adapt;
    this.replanner = replanner;
    this.sensors = sensors;
    this.serverCores = serverCores;
    this.tick = tick;
    this.settle = settle;
    this.log = log;
  }

  /**
   * Re-plan every {@value #TICK_MS} ms, reading the edge's quota (a file) each time and the link's
   * rate (two tc calls) every {@value #LINK_EVERY_TICKS} ticks; a just-started stage's compute is
   * left out for {@value #SETTLE_S} s.
   */
  public static final long TICK_MS = 100;
  public static final int LINK_EVERY_TICKS = 2;
  public static final long SETTLE_S = 10;
  /**
   * Seconds after a move before the standbys' idle CPU counts: the instances just left drain,
   * collect their garbage and finish compiling first (E7 s7 run 2: 0.07-0.22 cores read as idle
   * background, against 0.005-0.01 later).
   */
  public static final long STANDBY_QUIET_S = 5;
  /**
   * Bytes of a hop's payload per byte the shaper counts: htb meters whole Ethernet frames, and a
   * full one (1514 bytes) carries 1448 bytes of TCP payload (IP and TCP headers with timestamps,
   * Ethernet header); what a frame's bytes cross the link at is the shaper's rate times this.
   */
  static final double PAYLOAD_PER_WIRE_BYTE = 1448.0 / 1514;
  /**
   * A stage process's CPU reading is left out while its JVM compiles: when its compiler threads used
   * more than this share of the CPU the reading holds over the same report. Their CPU is the warm-up's,
   * not the frames': E7 s8 run 1 read maxpool/edge at 2.2 ms per frame through 20 s of its JIT under a
   * half-core quota (1.1 ms once done), priced EEEE at 13.6 fps at 0.1 core and moved away from the
   * placement that passed 37-66 fps.
   */
  static final double COMPILING_SHARE = 0.1;
  /** Weight of each timing report (one per 250 ms) in the live profile's averages. */
  public static final double ALPHA = 0.3;

  /**
   * The controller for a chain of {@code spec} starting as {@code start} on an up testbed: a live
   * profile from {@code base} at the spec's input size (the link's rate from the shaper, see
   * {@link LiveProfile#linkFromFrames}), the planner told the edge's quota and, for the server and
   * the host both nodes share, this machine's cores.
   *
   * @param adapt false: watch only (a static placement's reference run)
   */
  public static TestbedController forTestbed(Profile base, io.edgepipe.api.PipelineSpec spec, Placement start,
      TestbedState state, Replanner.Settings settings, Consumer<String> log, boolean adapt) {
    int cores = Runtime.getRuntime().availableProcessors();
    FrameSize size = FrameSize.of(spec.input().w(), spec.input().h());
    LiveProfile live = new LiveProfile(base, size, ALPHA, state.edgeCpu(), cores).linkFromFrames(false);
    PlannerOptions options = PlannerOptions.defaults().withFrameSize(size).withCores(state.edgeCpu(), cores)
        .withHostCores(cores);
    return new TestbedController(new Replanner(live, options, start, settings).producerFixed(true),
        ScheduledTestbedRun.sensors(state),
        cores, Duration.ofMillis(TICK_MS), Duration.ofSeconds(SETTLE_S), log, adapt);
  }

  @Override
  public synchronized void onMain(TestbedRun run) {
    startNanos = System.nanoTime();
    running = true;
    this.run = run;
    if (!adapt) {
      return;
    }
    loop = new Thread(() -> follow(run), "adaptive-controller");
    loop.setDaemon(true);
    loop.start();
  }

  @Override
  public void onTiming(TimingWindow.Report report) {
    synchronized (this) {
      if (!running) {
        return; // warm-up (or after the stream): not the run's own frames
      }
      Instant now = Instant.now();
      String busiest = null;
      long most = -1;
      for (TimingWindow.PathMeans p : report.paths()) {
        if (p.path().length() != replanner.current().size()) {
          continue;
        }
        // no care for the quota the frames met: their compute counts only where it is below the
        // stage's CPU per frame, and that CPU is the same under any quota
        replanner.live().observe(new Placement(p.path()), p.timings(), p.sinkUs(), (stage, tier) -> settled(stage, tier, now));
        if (p.frames() > most) {
          most = p.frames();
          busiest = p.path();
        }
      }
      java.util.Set<String> reported = new java.util.HashSet<>();
      if (report.cpu() != null) {
        for (TimingWindow.ProcessCpu c : report.cpu()) {
          Tier tier = TimingWindow.letter(c.node()) == 'E' ? Tier.EDGE : Tier.SERVER;
          reported.add(c.stage() + "|" + tier);
          boolean compiling = compiling(c.stage(), tier, c.cpuUs());
          if (cpuSettled(c.stage(), tier, now) && !compiling) {
            replanner.live().observeCpu(pathThrough(report, c.stage(), TimingWindow.letter(c.node())), c.stage(), tier,
                c.frames(), c.spanUs(), c.cpuUs());
          }
        }
      }
      observeStandbys(reported, now);
      double at = seconds();
      double lastDelivered = report.lastDeliveredUs() > 0 ? at - (report.atMs() * 1e3 - report.lastDeliveredUs()) / 1e6
          : Double.NaN;
      samples.add(new Sample(at, report.delivered(), busiest != null ? busiest : replanner.current().letters(),
          report.latencyUs(), lastDelivered));
    }
  }

  /** The placement most of a report's frames through a stage process took (whether its hops crossed the link), or null. */
  static Placement pathThrough(TimingWindow.Report report, String stage, char node) {
    TimingWindow.PathMeans busiest = null;
    for (TimingWindow.PathMeans p : report.paths()) {
      int i = p.stages().indexOf(stage);
      if (i >= 0 && p.path().charAt(i) == node && (busiest == null || p.frames() > busiest.frames())) {
        busiest = p;
      }
    }
    return busiest == null ? null : new Placement(busiest.path());
  }

  /**
   * The idle standbys' CPU, read from /proc since no frame reports it: what a stage burns on a
   * node it does not serve (its background there), which is what a move back is priced with.
   * A standby still draining the frames of the last move reports through them instead.
   */
  private void observeStandbys(java.util.Set<String> reported, Instant now) {
    if (run == null) {
      return;
    }
    for (TestbedRun.Standby s : run.standbys()) {
      double cpu = io.edgepipe.testbed.ProcessCpu.seconds(s.pid());
      long nanos = System.nanoTime();
      double[] last = standbyCpu.put(s.pid(), new double[] {cpu, nanos});
      Tier tier = s.node() == io.edgepipe.testbed.Node.EDGE ? Tier.EDGE : Tier.SERVER;
      boolean quiet = lastMoveAt == null || now.isAfter(lastMoveAt.plusSeconds(STANDBY_QUIET_S));
      if (last != null && cpu >= last[0] && !reported.contains(s.stage() + "|" + tier) && quiet) {
        replanner.live().observeCpu(s.stage(), tier, 0, Math.round((nanos - last[1]) / 1e3), Math.round((cpu - last[0]) * 1e6));
      }
    }
  }

  /**
   * Whether a stage process's CPU readings count: as its compute, not for {@value #SETTLE_S} s
   * after a move put it on that tier. Warm standbys are not warm enough: E7 s7 run 4 read
   * maxpool and relu on the edge at 14 and 6.7 ms of CPU per frame in the first second after a
   * move (about 1 ms later), priced EEEE at 2 fps at 10 Mbit and moved back to ESSS for good.
   * Meanwhile the stage keeps its figure from before, or (after the warm-up's are forgotten) is
   * priced from the other tier.
   */
  private boolean cpuSettled(String stage, Tier tier, Instant now) {
    return settled(stage, tier, now);
  }

  /**
   * Whether a stage process's JVM compiled during the report that read {@code cpuUs} of its CPU
   * (see {@link #COMPILING_SHARE}); counted per stage and tier for the log. Caller holds the lock.
   */
  private boolean compiling(String stage, Tier tier, long cpuUs) {
    double so = sensors.compileSeconds(stage, tier);
    if (!Double.isFinite(so)) {
      return false;
    }
    Double before = compiledSoFar.put(stage + "|" + tier, so);
    boolean busy = before != null && so - before > COMPILING_SHARE * cpuUs / 1e6;
    if (busy) {
      leftOutCompiling.merge(stage + "/" + tier.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    return busy;
  }

  /** Whether a stage process on a tier has run long enough there for its compute figures to count. */
  private boolean settled(String stage, Tier tier, Instant now) {
    Instant until = freshUntil.get(stage + "|" + tier);
    return until == null || now.isAfter(until);
  }

  @Override
  public void onStreamEnd() {
    Thread t;
    synchronized (this) {
      running = false;
      t = loop;
    }
    if (t != null) {
      try {
        t.join(300_000); // a move under way finishes first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void follow(TestbedRun run) {
    while (running) {
      try {
        Thread.sleep(tick.toMillis());
        step(run);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        synchronized (this) {
          failure = e.toString();
        }
        log.accept("controller stopped: " + e.getMessage());
        return;
      }
    }
  }

  /** One tick: read the nodes, re-plan, move when the replanner says so. */
  private void step(TestbedRun run) {
    Replanner.Decision d;
    double at;
    if (paused) {
      return;
    }
    synchronized (this) {
      double edge = sensors.edgeCores();
      if (edge != lastEdgeCores) {
        if (!Double.isNaN(lastEdgeCores)) {
          conditionSeenAt = seconds();
        }
        lastEdgeCores = edge;
      }
      if (ticks++ % LINK_EVERY_TICKS == 0) {
        double link = sensors.linkBitsPerSec();
        if (!(link > 0)) {
          link = Double.isNaN(lastLinkBps) ? replanner.live().linkBitsPerSec() : lastLinkBps; // a failed read (tc busy): keep the last
        }
        if (link != lastLinkBps) {
          if (!Double.isNaN(lastLinkBps)) {
            conditionSeenAt = seconds();
          }
          lastLinkBps = link;
        }
        replanner.live().setLinkRate(link * PAYLOAD_PER_WIRE_BYTE); // the shaper's rate: a reading, not a sample
      }
      replanner.observeCores(Tier.EDGE, edge);
      replanner.observeCores(Tier.SERVER, serverCores);
      d = replanner.evaluate(Instant.now());
      at = seconds();
      String gist = d.reason().replaceAll("[0-9]+", "#"); // log a reason when it changes, not every tick
      if (!gist.equals(lastReason)) {
        lastReason = gist;
        log.accept(String.format(Locale.ROOT, "%.1f s: %s (link %.1f Mbit/s, edge %.2f cores; %s predicted %.1f fps)",
            at, d.reason(), replanner.live().linkBitsPerSec() / 1e6, edge, d.current().placement(), d.current().fps()));
      }
      if (!d.move() || !running) {
        return;
      }
      log.accept(String.format(Locale.ROOT, "%.1f s: CPU per service (ms per frame + background cores): %s%s", at,
          replanner.live().describeCpu(), leftOutCompiling.isEmpty() ? ""
              : "; readings left out so far while their JVM compiled: " + leftOutCompiling));
    }
    TestbedRun.Move m = run.moveTo(d.target()); // outside the lock: timings keep coming meanwhile
    synchronized (this) {
      Instant now = Instant.now();
      replanner.moved(d.target(), now);
      lastMoveAt = now;
      if (m != null) {
        // the moved stages' fresh JVMs: their first figures are left out
        for (int s = 1; s < d.target().size(); s++) {
          if (m.from().tier(s) != m.to().tier(s)) {
            freshUntil.put(replanner.live().chain().stage(s) + "|" + m.to().tier(s), now.plus(settle));
          }
        }
        moves.add(new MoveEvent(at, conditionSeenAt, m.from(), m.to(), d.reason(), m.startedMs(), m.switchedMs(),
            m.drainedMs(), m.drained(), m.stages()));
        log.accept(String.format(Locale.ROOT, "%.1f s: moved %s -> %s (%s): new instances listening after %d ms, "
            + "new frames on the new placement after %d ms, old instances drained after %d ms%s", seconds(), m.from(),
            m.to(), String.join(", ", m.stages()), m.startedMs(), m.switchedMs(), m.drainedMs(),
            m.drained() ? "" : " (timed out)"));
      }
    }
  }

  /**
   * While paused the controller keeps its profile current but neither re-plans nor moves (a
   * warm-up). When a pause ends, the CPU readings taken so far are forgotten (see
   * {@link LiveProfile#forgetCpu}): they are the cold JVMs' of the warm-up.
   */
  public void pause(boolean value) {
    synchronized (this) {
      if (paused && !value) {
        replanner.live().forgetCpu();
        log.accept(String.format(Locale.ROOT, "%.1f s: warm-up over: its CPU readings forgotten", seconds()));
      }
    }
    paused = value;
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Seconds since the main phase began (the clock of {@link #samples} and {@link #moves}). */
  public synchronized double now() {
    return seconds();
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  public synchronized List<MoveEvent> moves() {
    return List.copyOf(moves);
  }

  /** Why the controller stopped early, or null. */
  public synchronized String failure() {
    return failure;
  }

  public synchronized Placement current() {
    return replanner.current();
  }
}
