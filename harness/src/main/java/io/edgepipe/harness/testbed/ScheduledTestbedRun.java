package io.edgepipe.harness.testbed;

import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One start of a chain on the testbed that lives through a schedule of conditions: after the
 * warm-up, each {@link Step} sets the link's rate and the edge's CPU quota (tc and the cgroup,
 * while frames flow), the producer's pace, and lasts its seconds; the frames of each step after
 * its settling time are its window (fps and latency). With an adaptive {@link TestbedController}
 * the chain is re-placed as the conditions change; with a watching one it stays where it
 * started (the static reference). The testbed keeps the last step's conditions.
 */
public final class ScheduledTestbedRun {
  /**
   * One condition.
   *
   * @param linkBps       the link's rate from this step on (0: unchanged)
   * @param edgeCpu       the edge's quota in cores from this step on (0: unchanged)
   * @param paceFps       frames per second from the producer (0: as fast as the chain takes them; -N: half the
   *                      rate the previous step measured, at most N, so that no frame waits for another; such
   *                      a step first holds the producer until the frames queued by the step before arrive)
   * @param seconds       how long the step lasts
   * @param settleSeconds the first part of the step left out of its window
   * @param placement     where the chain is moved as the step begins (null: left to the controller)
   * @param warmup        a step that only warms the chain up: the controller does not re-plan during it; it
   *                      lasts at least {@value #WARMUP_MIN_S} s and then until the rate has settled, at most
   *                      {@code seconds}
   * @param untilJitQuiet a warm-up step that also waits until the JIT compiler threads of every JVM on both
   *                      nodes have been idle for {@value #JIT_QUIET_WINDOWS} windows of 1 s (see
   *                      {@link JitActivity}): a settled rate alone was seen with C2 still compiling the kernels
   *                      of a JVM under a half-core quota (E7 s7: conv on the edge at 2.4 ms of CPU per frame
   *                      for a minute after the warm-up, then 0.5 ms)
   */
  public record Step(String label, long linkBps, double edgeCpu, double paceFps, double seconds,
      double settleSeconds, String placement, boolean warmup, boolean untilJitQuiet) {
    /** A step whose warm-up (if it is one) ends when its rate settles. */
    public Step(String label, long linkBps, double edgeCpu, double paceFps, double seconds, double settleSeconds,
        String placement, boolean warmup) {
      this(label, linkBps, edgeCpu, paceFps, seconds, settleSeconds, placement, warmup, false);
    }

    /** A step that leaves the placement alone. */
    public Step(String label, long linkBps, double edgeCpu, double paceFps, double seconds, double settleSeconds) {
      this(label, linkBps, edgeCpu, paceFps, seconds, settleSeconds, null, false);
    }

    /** A measured step that moves the chain to {@code placement} first. */
    public Step(String label, long linkBps, double edgeCpu, double paceFps, double seconds, double settleSeconds,
        String placement) {
      this(label, linkBps, edgeCpu, paceFps, seconds, settleSeconds, placement, false);
    }

    /** A measured step with frames as fast as the chain takes them (not a warm-up, not paced). */
    public boolean flatOut() {
      return !warmup && paceFps == 0;
    }

    public Step {
      if (!(seconds > settleSeconds) || settleSeconds < 0) {
        throw new IllegalArgumentException("a step lasts longer than its settling time, got " + seconds + " s and "
            + settleSeconds + " s");
      }
      if (untilJitQuiet && !warmup) {
        throw new IllegalArgumentException("only a warm-up step waits for the JIT, got step " + label);
      }
    }
  }

  /**
   * What one step measured, on the controller's clock (s since the main phase began).
   *
   * @param placementAtEnd the path most frames took at the end of the step
   * @param edgeCores      CPU the edge node's processes used over the window, in cores
   * @param serverCores    the same for the server node
   * @param attempts       how many times the step was measured (more than 1: see {@link CompilingWindowRetry});
   *                       the window is the last one's
   */
  public record StepResult(Step step, double startS, double endS, long frames, double fps, double latencyP50Ms,
      String placementAtEnd, double paceFps, double edgeCores, double edgeThrottledPct, double serverCores,
      int attempts) {}

  /** The run: the sink's summary, each step's window, the timeline and the moves. */
  public record Outcome(RunResult result, List<StepResult> steps, List<TestbedController.Sample> samples,
      List<TestbedController.MoveEvent> moves, String controllerFailure) {}

  /** The producer's pace while a step waits for the queue to drain: one frame in a thousand seconds. */
  static final double HOLD_FPS = 1e-3;
  static final double DRAIN_MAX_SECONDS = 20;
  /**
   * How long no frame may arrive before a drained queue counts as empty (at least three frame
   * times of the step before): half a second is 3 frame times down to 6 fps, and every paced
   * step of a grid waits it.
   */
  static final double DRAIN_QUIET_S = 0.5;
  /** Least length of a warm-up step; then it goes on in 1 s windows until the rate settles. */
  public static final double WARMUP_MIN_S = 5;

  private ScheduledTestbedRun() {}

  /**
   * @param o the run's options; its frame count bounds the stream (0: until the schedule ends)
   * @param standby each stage also idles on the other node (see {@link TestbedRun#adaptive(TestbedRun.AdaptiveListener, boolean)})
   */
  public static Outcome run(TestbedState state, String placement, RunOptions o, double warmupSeconds, List<Step> steps,
      TestbedController controller, boolean standby, Path logDir, Consumer<String> log) {
    return run(state, placement, o, warmupSeconds, steps, controller, standby, logDir, log, CompilingWindowRetry.NEVER);
  }

  /** As {@link #run(TestbedState, String, RunOptions, double, List, TestbedController, boolean, Path, Consumer)}; flat-out steps measured again by {@code retry}. */
  public static Outcome run(TestbedState state, String placement, RunOptions o, double warmupSeconds, List<Step> steps,
      TestbedController controller, boolean standby, Path logDir, Consumer<String> log, CompilingWindowRetry retry) {
    // per step: start, end, pace, edge cores, throttled %, server cores, attempts
    List<double[]> bounds = new ArrayList<>();
    TestbedState[] now = {state};
    TestbedRun.AdaptiveListener listener = new TestbedRun.AdaptiveListener() {
      @Override
      public void onMain(TestbedRun run) {
        controller.onMain(run);
        Thread schedule = new Thread(() -> follow(run, controller, steps, now, bounds, log, retry), "schedule");
        schedule.setDaemon(true);
        schedule.start();
      }

      @Override
      public void onTiming(TimingWindow.Report report) {
        controller.onTiming(report);
      }

      @Override
      public void onStreamEnd() {
        controller.onStreamEnd();
      }
    };
    RunResult result;
    try (TestbedRun run = new TestbedRun(state, placement, logDir)
        .withPhases(new TestbedRun.Phases(warmupSeconds, 0, 0, 1)).adaptive(listener, standby)) {
      result = run.run(o, () -> { });
    }
    List<TestbedController.Sample> samples = controller.samples();
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < bounds.size(); i++) {
      double[] b = bounds.get(i);
      StepResult w = window(steps.get(i), b[0], b[1], samples);
      results.add(new StepResult(w.step(), w.startS(), w.endS(), w.frames(), w.fps(), w.latencyP50Ms(),
          w.placementAtEnd(), b[2], b[3], b[4], b[5], (int) b[6]));
    }
    return new Outcome(result, results, samples, controller.moves(), controller.failure());
  }

  private static void follow(TestbedRun run, TestbedController controller, List<Step> steps, TestbedState[] now,
      List<double[]> bounds, Consumer<String> log, CompilingWindowRetry retry) {
    try {
      for (Step step : steps) {
        double changeAt = controller.now();
        if (step.linkBps() > 0 && step.linkBps() != now[0].bandwidthBps()) {
          now[0] = Testbed.setLinkRate(now[0], step.linkBps());
        }
        if (step.edgeCpu() > 0 && step.edgeCpu() != now[0].edgeCpu()) {
          now[0] = Testbed.setEdgeCpu(now[0], step.edgeCpu());
        }
        controller.pause(step.warmup());
        if (step.placement() != null) {
          run.moveTo(new io.edgepipe.api.Placement(step.placement())); // null when already there
        }
        double pace = step.paceFps();
        if (pace < 0) {
          double previous = bounds.isEmpty() ? Double.NaN : window(steps.get(bounds.size() - 1),
              bounds.get(bounds.size() - 1)[0], bounds.get(bounds.size() - 1)[1], controller.samples()).fps();
          pace = Double.isFinite(previous) && previous > 0 ? Math.min(-pace, previous / 2) : 1;
          drain(run, controller, previous);
        }
        run.pace(pace);
        // a step starts when its change is written (E7 times the re-placement from then), but after the
        // drain where it had to wait for the step before's backlog (not its own frames)
        double start = step.warmup() || step.paceFps() < 0 ? controller.now() : changeAt;
        log.accept(String.format(java.util.Locale.ROOT, "%.1f s: step %s (link %.0f Mbit/s, edge %.2f cores%s)",
            start, step.label(), now[0].bandwidthBps() / 1e6, now[0].edgeCpu(),
            (step.paceFps() > 0 ? ", " + step.paceFps() + " fps" : "")
                + (step.placement() != null ? ", " + step.placement() : "")));
        if (step.warmup()) {
          warmUntilSettled(step, controller, now[0], log);
          synchronized (bounds) {
            bounds.add(new double[] {start, controller.now(), pace, Double.NaN, Double.NaN, Double.NaN, 1});
          }
          continue;
        }
        for (int attempts = 1; ; attempts++) {
          double[] measured = measure(step, now[0], controller, log);
          double compileShare = measured[3];
          boolean again = step.flatOut() && retry.again(attempts, compileShare);
          if (again) {
            log.accept(String.format(java.util.Locale.ROOT, "%.1f s: step %s: the JIT used %.1f%% of a node's CPU in its "
                + "window; measuring it again", controller.now(), step.label(), 100 * compileShare));
            start = controller.now(); // the next window: settling again from here
            continue;
          }
          synchronized (bounds) {
            bounds.add(new double[] {start, controller.now(), pace, measured[0], measured[1], measured[2], attempts});
          }
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.accept("schedule stopped: " + e.getMessage());
    } finally {
      run.stopStream();
    }
  }

  /**
   * One window of a measured step: settles, then measures. Returns the edge's cores, its throttled
   * share of CFS periods (%), the server's cores and the JIT's share of a node's CPU in the window
   * ({@link CompilingWindowRetry#compileShare}); logs the compile CPU (whether the instances were warm).
   */
  private static double[] measure(Step step, TestbedState state, TestbedController controller, Consumer<String> log)
      throws InterruptedException {
    double[] jit0 = jitSeconds(state);
    Thread.sleep(Math.round(step.settleSeconds() * 1000));
    double[] jit1 = jitSeconds(state);
    double cpu0 = Testbed.cpuSeconds(state, Node.EDGE);
    double serverCpu0 = Testbed.cpuSeconds(state, Node.SERVER);
    long[] cfs0 = Testbed.throttling(state, Node.EDGE);
    long t0 = System.nanoTime();
    Thread.sleep(Math.round((step.seconds() - step.settleSeconds()) * 1000));
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cores = (Testbed.cpuSeconds(state, Node.EDGE) - cpu0) / seconds;
    double serverCores = (Testbed.cpuSeconds(state, Node.SERVER) - serverCpu0) / seconds;
    long[] cfs1 = Testbed.throttling(state, Node.EDGE);
    double throttled = cfs1[0] > cfs0[0] ? 100.0 * (cfs1[1] - cfs0[1]) / (cfs1[0] - cfs0[0]) : 0;
    double[] jit2 = jitSeconds(state);
    log.accept(String.format(java.util.Locale.ROOT, "%.1f s: step %s JIT compile CPU: edge %.2f s, server %.2f s "
        + "in its first %.0f s; edge %.2f s, server %.2f s in its window", controller.now(), step.label(),
        jit1[0] - jit0[0], jit1[1] - jit0[1], step.settleSeconds(), jit2[0] - jit1[0], jit2[1] - jit1[1]));
    double compileShare = CompilingWindowRetry.compileShare(jit2[0] - jit1[0], cores, jit2[1] - jit1[1], serverCores,
        seconds);
    return new double[] {cores, throttled, serverCores, compileShare};
  }

  /** Holds the producer until the frames that the step before queued have arrived (see {@link QueueDrain}). */
  private static void drain(TestbedRun run, TestbedController controller, double previousFps)
      throws InterruptedException {
    run.pace(QueueDrain.HOLD_FPS);
    QueueDrain.await(() -> delivered(controller), previousFps, DRAIN_QUIET_S);
  }

  /**
   * Warm-up steps that give every stage instance on both nodes real frames before a run with
   * standbys is measured (a standby that never ran a frame takes seconds of class loading and JIT
   * over its first ones, all of which the sink then holds back for order): the chain visits
   * {@code P^k O^(n-k)} for k = n..1 (P the producer's node, O the other; each stage is on both
   * nodes in some visit), each until its rate settles and the JIT is quiet, at most {@code maxSeconds},
   * and ends on {@code start} (one more visit unless that is {@code P O^(n-1)}). The link and the quota
   * are left as they are.
   */
  public static List<Step> standbyWarmup(io.edgepipe.api.Placement start, double maxSeconds) {
    return standbyWarmup(start, maxSeconds, 0);
  }

  /**
   * As {@link #standbyWarmup(io.edgepipe.api.Placement, double)}, with the edge's quota set to
   * {@code edgeCpu} cores for the warm-up (0: left as it is). A warm-up under a small quota leaves
   * the JIT no room: E7 s7's edge JVMs at half a core were still compiling their kernels a minute
   * after it. The step after the warm-up must set the quota the run is measured with.
   */
  public static List<Step> standbyWarmup(io.edgepipe.api.Placement start, double maxSeconds, double edgeCpu) {
    return standbyWarmup(start, maxSeconds, edgeCpu, 0, 0);
  }

  /**
   * As {@link #standbyWarmup(io.edgepipe.api.Placement, double, double)}, then the same visits again
   * with the edge's quota at {@code thenEdgeCpu} cores, each at most {@code thenMaxSeconds} (none when
   * 0). The JVMs compile again the first time they pass frames under a quota (E7 s8 run 2: 1.2-1.5 s
   * of compile CPU on the edge per placement at half a core after a JIT-quiet uncapped warm-up, and
   * 5 s over the first 20 s on EEEE, which passed 89 fps where it passed 409 later).
   */
  public static List<Step> standbyWarmup(io.edgepipe.api.Placement start, double maxSeconds, double edgeCpu,
      double thenEdgeCpu, double thenMaxSeconds) {
    String p = start.letters().substring(0, 1);
    String o = p.equals("E") ? "S" : "E";
    int n = start.size();
    List<String> visits = new ArrayList<>();
    for (int k = n; k >= 1; k--) {
      visits.add(p.repeat(k) + o.repeat(n - k));
    }
    if (!start.letters().equals(p + o.repeat(n - 1))) {
      visits.add(start.letters());
    }
    List<Step> steps = new ArrayList<>();
    for (String visit : visits) {
      steps.add(new Step("warm-up " + visit, 0, edgeCpu, 0, maxSeconds, 0, visit, true, true));
    }
    for (String visit : thenEdgeCpu > 0 ? visits : List.<String>of()) {
      steps.add(new Step("warm-up " + visit + " at edge cpu " + thenEdgeCpu, 0, thenEdgeCpu, 0, thenMaxSeconds, 0,
          visit, true, true));
    }
    return steps;
  }

  /**
   * Frames through the step's placement for {@value #WARMUP_MIN_S} s, then until 1 s windows show a
   * settled rate (and, for a step {@link Step#untilJitQuiet}, idle compiler threads on both nodes for
   * {@value #JIT_QUIET_WINDOWS} windows), at most the step's seconds. Logs what the visit took.
   */
  private static void warmUntilSettled(Step step, TestbedController controller, TestbedState state,
      Consumer<String> log) throws InterruptedException {
    double begin = controller.now();
    long delivered0 = delivered(controller);
    JitActivity jit = new JitActivity();
    jit.advance(nodePids(state)); // from here on
    double compileBefore = jit.total();
    Thread.sleep(Math.round(Math.min(WARMUP_MIN_S, step.seconds()) * 1000));
    List<Double> rates = new ArrayList<>();
    long delivered = delivered(controller);
    double at = controller.now();
    double compileFirst = jit.advance(nodePids(state));
    int quietWindows = 0;
    double lastCompile = Double.NaN;
    String ended = "at most " + Math.round(step.seconds()) + " s";
    while (controller.now() - begin < step.seconds()) {
      Thread.sleep(1000);
      long d = delivered(controller);
      double t = controller.now();
      rates.add((d - delivered) / (t - at));
      delivered = d;
      at = t;
      lastCompile = jit.advance(nodePids(state));
      quietWindows = lastCompile <= JIT_QUIET_S_PER_WINDOW ? quietWindows + 1 : 0;
      boolean rateSettled = TestbedProducer.settled(rates) && rates.get(rates.size() - 1) > 0; // no frames: nothing warmed
      if (rateSettled && (!step.untilJitQuiet() || quietWindows >= JIT_QUIET_WINDOWS)) {
        ended = step.untilJitQuiet() ? "rate settled, JIT quiet" : "rate settled";
        break;
      }
    }
    log.accept(String.format(java.util.Locale.ROOT, "%.1f s: %s: %.1f s (%s), %d frames, last window %.0f fps; "
            + "JIT compile CPU %.2f s in its first %.0f s, %.2f s after, %.3f s in its last 1 s window",
        controller.now(), step.label(), controller.now() - begin, ended, delivered(controller) - delivered0,
        rates.isEmpty() ? Double.NaN : rates.get(rates.size() - 1), compileFirst, Math.min(WARMUP_MIN_S, step.seconds()),
        jit.total() - compileBefore - compileFirst, lastCompile));
  }

  /**
   * A 1 s window whose compiler threads (all JVMs of both nodes together) used at most this much CPU
   * counts as quiet: /proc counts in 10 ms ticks, and a JVM's compiler threads tick now and then even
   * when nothing hot is left (a rarely taken branch, a sweep).
   */
  public static final double JIT_QUIET_S_PER_WINDOW = 0.02;
  /** Quiet 1 s windows in a row that end a warm-up visit waiting for the JIT. */
  public static final int JIT_QUIET_WINDOWS = 2;

  /** Processes of both nodes (the stage JVMs, the producer, their wrappers). */
  private static List<Long> nodePids(TestbedState state) {
    List<Long> pids = new ArrayList<>(Testbed.pidsIn(state, Node.EDGE));
    pids.addAll(Testbed.pidsIn(state, Node.SERVER));
    return pids;
  }

  /** Compile CPU seconds so far of the compiler threads of each node's processes: {edge, server}. */
  private static double[] jitSeconds(TestbedState state) {
    return new double[] {new JitActivity().advance(Testbed.pidsIn(state, Node.EDGE)),
        new JitActivity().advance(Testbed.pidsIn(state, Node.SERVER))};
  }

  private static long delivered(TestbedController controller) {
    List<TestbedController.Sample> samples = controller.samples();
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).delivered();
  }

  /**
   * A step's window: frames delivered between its settling time and its end, and their latency.
   * The rate is taken between two deliveries: from the last delivery of the first report in the
   * window to the last delivery of the last one, the frames delivered in between. Counting the
   * frames of a fixed window instead quantises a rate of about one frame per second to whole
   * frames: 2 frames in 2.25 s read 0.889 fps where the link passed 1.13.
   */
  static StepResult window(Step step, double start, double end, List<TestbedController.Sample> samples) {
    double from = start + step.settleSeconds();
    TestbedController.Sample first = null;
    TestbedController.Sample last = null;
    List<Long> latencies = new ArrayList<>();
    for (TestbedController.Sample s : samples) {
      if (s.atSeconds() <= from) {
        first = s; // the last report before the window: its count is where the window starts
      } else if (s.atSeconds() <= end) {
        last = s;
        Arrays.stream(s.latencyUs()).forEach(latencies::add);
      }
    }
    if (first == null || last == null) {
      return new StepResult(step, start, end, 0, 0, Double.NaN, "-", step.paceFps(), Double.NaN, Double.NaN,
          Double.NaN, 1);
    }
    long frames = last.delivered() - first.delivered();
    double fps = frames / (last.atSeconds() - first.atSeconds());
    TestbedController.Sample anchor = firstDelivery(samples, first, from, end);
    if (anchor != null && anchor != last && last.delivered() > anchor.delivered()
        && last.lastDeliveredAt() > anchor.lastDeliveredAt()) {
      fps = (last.delivered() - anchor.delivered()) / (last.lastDeliveredAt() - anchor.lastDeliveredAt());
    }
    latencies.sort(Long::compare);
    double p50 = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2) / 1000.0;
    return new StepResult(step, start, end, frames, fps, p50, last.path(), step.paceFps(), Double.NaN, Double.NaN,
        Double.NaN, 1);
  }

  /** The first report inside the window that brought a delivery (its last delivery starts the rate's span); null if none. */
  private static TestbedController.Sample firstDelivery(List<TestbedController.Sample> samples,
      TestbedController.Sample before, double from, double end) {
    for (TestbedController.Sample s : samples) {
      if (s.atSeconds() > from && s.atSeconds() <= end && s.delivered() > before.delivered()
          && Double.isFinite(s.lastDeliveredAt())) {
        return s;
      }
    }
    return null;
  }

  /** Sensors of an up testbed: the rate tc shapes the link to, and the edge cgroup's quota. */
  public static TestbedController.Sensors sensors(TestbedState state) {
    StageJvms jvms = new StageJvms(state);
    return new TestbedController.Sensors() {
      @Override
      public double compileSeconds(String stage, io.edgepipe.api.Tier tier) {
        return jvms.compileSeconds(stage, tier == io.edgepipe.api.Tier.EDGE ? Node.EDGE : Node.SERVER);
      }

      @Override
      public double linkBitsPerSec() {
        return Testbed.readLink(state, Node.EDGE).htbRateBps();
      }

      @Override
      public double edgeCores() {
        double cores = Testbed.readCpu(state, Node.EDGE).cores();
        return Double.isFinite(cores) ? cores : 0;
      }
    };
  }
}
