package io.edgepipe.experiments;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.testbed.ScheduledTestbedRun;
import io.edgepipe.harness.testbed.ScheduledTestbedRun.Step;
import io.edgepipe.harness.testbed.TestbedController;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.planner.control.Replanner;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.testbed.TestbedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * E7: live re-placement on the testbed. One adaptive run (reliable delivery) lives through a
 * schedule of conditions: the link at 1 Gbit, cut to 10 Mbit, the edge's CPU quota cut, the quota
 * restored, the link back to 1 Gbit (tc and the cgroup changed while frames flow): each change
 * calls for a move. The controller reads the frames' timings, the quota every 100 ms and the
 * shaper's rate every 200 ms, and moves stages between the nodes (warm standbys: a move is a
 * repoint, make-before-break). Per condition: the time from the change to the new
 * placement, and the fps once there against the best static placement for that condition,
 * measured in a second run that visits every placement under every condition. Frames lost and
 * duplicated over the whole adaptive run.
 */
public final class AdaptiveExperiment {
  static final String CSV = "e7_adaptive.csv";
  static final String STATIC_CSV = "e7_static.csv";
  static final String TIMELINE_CSV = "e7_timeline.csv";
  static final String MOVES_CSV = "e7_moves.csv";
  static final String START = "ESSS";
  /** Seconds per condition of the adaptive run, and the part after the change left out of its fps (detection, move). */
  static final double STEP_SECONDS = 20;
  static final double SETTLE_SECONDS = 8;
  /** Seconds per placement and condition of the static sweep, and its settling part. */
  static final double STATIC_SECONDS = 5;
  static final double STATIC_SETTLE = 2;
  static final int STATIC_REPEATS = 2;
  /**
   * Most seconds of frames through each placement before either run is measured: every instance
   * on both nodes gets real frames, the edge uncapped, until its rate settles and the JIT compiler
   * threads of every JVM are idle, at least {@link ScheduledTestbedRun#WARMUP_MIN_S} s. The first visit
   * (EEEE) starts three cold JVMs on the edge: on a loaded host (load 20-34) it passed 84 frames in
   * 40 s, and its stages were still compiling a minute after the run moved to them (E7 s8 run 1).
   */
  static final double WARMUP_MAX_VISIT_S = 90;
  /**
   * Most seconds of each visit of the second warm-up round, under the run's quota (its JVMs compile
   * again). A visit still ends as soon as its rate settles and the JIT is quiet; with a 30 s cap the
   * EEEE visit of E7 s8 run 3 stopped with its JVMs still compiling (4.8 s of compile CPU in it, 2.35 s
   * more in the first measured EEEE step, which ran at 67% of the static EEEE).
   */
  static final double WARMUP_QUOTA_VISIT_S = 75;

  /** Columns of {@link #CSV}: one row per condition of the adaptive run. */
  public enum ConditionColumn implements CsvColumn {
    STEP, CONDITION, LINK_MBIT, EDGE_CPU, CHANGE_AT_S, PLACEMENT_BEFORE, PLACEMENT_AFTER, MOVES, TIME_TO_PLACEMENT_S,
    DETECTED_S, DECIDED_S, SWITCHING_MS, DRAINED_S, ADAPTIVE_FPS, BEST_STATIC, BEST_STATIC_FPS, BEST_STATIC_SPREAD, RATIO_PCT, WITHIN_15PCT,
    /** the placement reached is the best static one, or its static repeats reach into the best's spread */
    RIGHT_PLACEMENT
  }

  /** Columns of {@link #STATIC_CSV}: every placement under every condition, each repeat. */
  public enum StaticColumn implements CsvColumn {
    STEP, CONDITION, PLACEMENT, REPEAT, FPS, LAT_P50_MS
  }

  /** Columns of {@link #TIMELINE_CSV}: the adaptive run per timing report. */
  public enum TimelineColumn implements CsvColumn {
    T_S, DELIVERED, FPS, PLACEMENT
  }

  /** Columns of {@link #MOVES_CSV}. */
  public enum MoveColumn implements CsvColumn {
    DECIDED_S, FROM, TO, STAGES, SWITCHED_MS, DRAINED_MS, DRAINED, REASON
  }

  /** One condition of the schedule. */
  record Condition(String name, long linkBps, double edgeCpu) {}

  static List<Condition> schedule(double edgeCpu) {
    return List.of(new Condition("1 Gbit", 1_000_000_000L, edgeCpu), new Condition("10 Mbit", 10_000_000L, edgeCpu),
        new Condition("10 Mbit, edge cpu 0.1", 10_000_000L, 0.1),
        new Condition("10 Mbit, edge cpu " + edgeCpu, 10_000_000L, edgeCpu),
        new Condition("1 Gbit", 1_000_000_000L, edgeCpu));
  }

  private AdaptiveExperiment() {}

  public static void run(Suite s, int side) {
    TestbedDriver driver = s.testbed.driver();
    if (driver == null) {
      s.note("e7_status", "skipped: " + s.testbed.reason());
      return;
    }
    PipelineSpec spec = s.spec.withInput(side, side).withDelivery(Delivery.RELIABLE);
    List<Condition> conditions = schedule(s.edgeCpu);
    List<String> placements = List.of("ESSS", "EESS", "EEES", "EEEE");
    s.note("e7_size", side + "x" + side);
    s.note("e7_method", "one adaptive run from " + START + " (reliable delivery, synthetic frames as fast as the "
        + "chain takes them, every stage also idling warm on the other node so that a move is a repoint, "
        + "make-before-break: new frames go to the new placement at once, the old instances finish theirs); "
        + Math.round(STEP_SECONDS) + " s per condition, fps over its last " + Math.round(STEP_SECONDS - SETTLE_SECONDS)
        + " s; the static reference: one run visiting every placement under every condition, " + STATIC_REPEATS
        + " x " + Math.round(STATIC_SECONDS - STATIC_SETTLE) + " s each after " + Math.round(STATIC_SETTLE)
        + " s of settling; both warmed up first through every placement at 1 Gbit with the edge's quota lifted to "
        + "the host's " + warmupEdgeCpu() + " cores, each until its rate settled and the JIT compiler threads of "
        + "every JVM on both nodes had been idle for " + ScheduledTestbedRun.JIT_QUIET_WINDOWS + " s (at least "
        + Math.round(ScheduledTestbedRun.WARMUP_MIN_S) + " s, at most " + Math.round(WARMUP_MAX_VISIT_S) + " s), then "
        + "once more under the edge's quota of " + s.edgeCpu + " cores (at most " + Math.round(WARMUP_QUOTA_VISIT_S)
        + " s each: the JVMs compile again the first time they pass frames under a quota). "
        + "Controller: margin 20%, dwell 1 s, cooldown 3 s after a move's drain, re-plan every "
        + TestbedController.TICK_MS + " ms; the edge's quota read from its cgroup every tick, the link's rate from "
        + "the shaper every " + TestbedController.LINK_EVERY_TICKS * TestbedController.TICK_MS + " ms, compute from "
        + "the frames' timings and each stage process's CPU from the readings its frames carry (CPU ms per frame "
        + "and background cores fitted per process; a node's fps <= (quota - background) / CPU per frame; the "
        + "warm-up's readings forgotten when it ends, a stage not run on a tier since priced from the other tier; "
        + "the dwell runs while any placement is better by the margin, and the move goes to the best)");
    s.task("E7 profile");
    Suite one = s.withPlan(s.plan.withSizes(List.of(side)));
    ProfileMeasurer.Measured m = ProfileMeasurer.measure(one, List.of(Tier.SERVER));
    List<ProfileMeasurer.Compute> compute = new ArrayList<>(m.compute());
    for (ProfileMeasurer.Compute c : m.compute()) {
      // the edge's compute as a wall time under its quota; the live profile rescales it when the quota changes
      compute.add(new ProfileMeasurer.Compute(c.stage(), Tier.EDGE, c.size(), c.medianMs() / Math.min(1, s.edgeCpu),
          c.p95Ms() / Math.min(1, s.edgeCpu)));
    }
    try {
      s.task("testbed up (E7)");
      driver.up("1gbit", s.edgeCpu);
      Profile profile = ProfileMeasurer.profile(m, compute, driver.bandwidthBitsPerSec());
      profile.write(s.dir.resolve("profile-e7.json"));
      RunOptions o = new RunOptions(spec, s.specFile, "synthetic", 0, 0, 1, s.device, s.seed, null, "npy");
      s.task("E7 static sweep");
      List<Step> sweep = new ArrayList<>(ScheduledTestbedRun.standbyWarmup(new Placement(START), WARMUP_MAX_VISIT_S, warmupEdgeCpu(),
          s.edgeCpu, WARMUP_QUOTA_VISIT_S));
      for (int c = 0; c < conditions.size(); c++) {
        if (firstSame(conditions, c) != c) {
          continue; // a condition the schedule returns to: measured once
        }
        for (int r = 0; r < STATIC_REPEATS; r++) {
          List<String> order = new ArrayList<>(placements);
          if (r % 2 == 1) {
            java.util.Collections.reverse(order); // each placement early and late in its condition
          }
          for (String p : order) {
            Condition k = conditions.get(c);
            sweep.add(new Step(c + "|" + p + "|" + r, k.linkBps(), k.edgeCpu(), 0, STATIC_SECONDS, STATIC_SETTLE, p));
          }
        }
      }
      TestbedState state = driver.state();
      ScheduledTestbedRun.Outcome statics = ScheduledTestbedRun.run(state, START, o, 5, sweep,
          TestbedController.forTestbed(profile, spec, new Placement(START), state, settings(), s::say, false), true,
          s.logs.resolve("e7-static"), s::say);
      driver.down();
      s.task("E7 adaptive run");
      driver.up("1gbit", s.edgeCpu);
      state = driver.state();
      List<Step> adaptive = new ArrayList<>(ScheduledTestbedRun.standbyWarmup(new Placement(START), WARMUP_MAX_VISIT_S, warmupEdgeCpu(),
          s.edgeCpu, WARMUP_QUOTA_VISIT_S));
      for (int c = 0; c < conditions.size(); c++) {
        Condition k = conditions.get(c);
        adaptive.add(new Step(String.valueOf(c), k.linkBps(), k.edgeCpu(), 0, STEP_SECONDS, SETTLE_SECONDS));
      }
      List<String> log = new ArrayList<>();
      ScheduledTestbedRun.Outcome run = ScheduledTestbedRun.run(state, START, o, 5, adaptive,
          TestbedController.forTestbed(profile, spec, new Placement(START), state, settings(),
              line -> log.add(line), true), true, s.logs.resolve("e7-adaptive"), line -> log.add(line));
      writeResults(s, conditions, statics, run, log);
    } finally {
      driver.down();
    }
  }

  /**
   * The edge's quota while the standbys warm up: the host's cores (uncapped), so that the JIT
   * finishes; the first condition then sets the quota the run is measured with.
   */
  static double warmupEdgeCpu() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The first condition of the schedule with the same link and quota as condition {@code c}. */
  static int firstSame(List<Condition> conditions, int c) {
    for (int i = 0; i < c; i++) {
      if (conditions.get(i).linkBps() == conditions.get(c).linkBps()
          && conditions.get(i).edgeCpu() == conditions.get(c).edgeCpu()) {
        return i;
      }
    }
    return c;
  }

  static Replanner.Settings settings() {
    return new Replanner.Settings(Objective.THROUGHPUT, 0.2, Duration.ofSeconds(1), Duration.ofSeconds(3), false);
  }

  private static void writeResults(Suite s, List<Condition> conditions, ScheduledTestbedRun.Outcome statics,
      ScheduledTestbedRun.Outcome run, List<String> log) {
    Table st = CsvColumn.table(StaticColumn.values());
    List<List<double[]>> staticFps = new ArrayList<>(); // per condition, per placement: fps of each repeat
    List<String> placements = List.of("ESSS", "EESS", "EEES", "EEEE");
    for (int c = 0; c < conditions.size(); c++) {
      List<double[]> perPlacement = new ArrayList<>();
      for (String p : placements) {
        List<Double> fps = new ArrayList<>();
        for (ScheduledTestbedRun.StepResult r : statics.steps()) {
          String[] key = r.step().label().split("\\|");
          if (key.length == 3 && key[0].equals(String.valueOf(firstSame(conditions, c))) && key[1].equals(p)) {
            fps.add(r.fps());
            if (firstSame(conditions, c) == c) {
              st.row(c + 1, conditions.get(c).name(), p, Integer.parseInt(key[2]) + 1, r.fps(), r.latencyP50Ms());
            }
          }
        }
        perPlacement.add(fps.stream().mapToDouble(Double::doubleValue).toArray());
      }
      staticFps.add(perPlacement);
    }
    st.writeCsv(s.dir.resolve(STATIC_CSV));

    Table cond = CsvColumn.table(ConditionColumn.values());
    List<ScheduledTestbedRun.StepResult> measured = run.steps().stream().filter(r -> !r.step().warmup()).toList();
    for (int c = 0; c < measured.size() && c < conditions.size(); c++) {
      ScheduledTestbedRun.StepResult r = measured.get(c);
      Condition k = conditions.get(c);
      String before = placementAt(run, r.startS());
      String after = r.placementAtEnd();
      List<TestbedController.MoveEvent> moves = run.moves().stream()
          .filter(mv -> mv.decidedAt() >= r.startS() && mv.decidedAt() < r.endS()).toList();
      Object toPlacement = "no move";
      Object detected = "-";
      Object decided = "-";
      Object switching = "-";
      Object drainedAt = "-";
      if (!moves.isEmpty()) {
        TestbedController.MoveEvent first = moves.get(0); // the answer to the change (more: see MOVES)
        toPlacement = first.decidedAt() + first.switchedMs() / 1000.0 - r.startS();
        detected = Double.isNaN(first.conditionSeenAt()) ? "-" : first.conditionSeenAt() - r.startS();
        decided = first.decidedAt() - r.startS();
        switching = first.switchedMs();
        drainedAt = first.decidedAt() + first.drainedMs() / 1000.0 - r.startS();
      }
      int best = 0;
      for (int p = 1; p < placements.size(); p++) {
        if (median(staticFps.get(c).get(p)) > median(staticFps.get(c).get(best))) {
          best = p;
        }
      }
      double[] bestRuns = staticFps.get(c).get(best);
      double bestFps = median(bestRuns);
      double ratio = bestFps > 0 ? 100 * r.fps() / bestFps : Double.NaN;
      int reached = placements.indexOf(after);
      boolean right = reached == best || (reached >= 0 && staticFps.get(c).get(reached).length > 0
          && Spread.of(staticFps.get(c).get(reached)).max() >= Spread.of(bestRuns).min());
      cond.row(c + 1, k.name(), k.linkBps() / 1e6, k.edgeCpu(), r.startS(), before, after, moves.size(), toPlacement,
          detected, decided, switching, drainedAt, r.fps(), placements.get(best), bestFps, range(bestRuns), ratio,
          ratio >= 85 ? "yes" : "no", right ? "yes" : "no");
    }
    cond.writeCsv(s.dir.resolve(CSV));

    Table timeline = CsvColumn.table(TimelineColumn.values());
    TestbedController.Sample prev = null;
    for (TestbedController.Sample x : run.samples()) {
      double fps = prev == null ? Double.NaN
          : (x.delivered() - prev.delivered()) / Math.max(1e-3, x.atSeconds() - prev.atSeconds());
      timeline.row(x.atSeconds(), x.delivered(), fps, x.path());
      prev = x;
    }
    timeline.writeCsv(s.dir.resolve(TIMELINE_CSV));

    Table moves = CsvColumn.table(MoveColumn.values());
    run.moves().forEach(mv -> moves.row(mv.decidedAt(), mv.from().letters(), mv.to().letters(),
        String.join("+", mv.stages()), mv.switchedMs(), mv.drainedMs(), mv.drained() ? "yes" : "no", mv.reason()));
    moves.writeCsv(s.dir.resolve(MOVES_CSV));

    s.note("e7_sent", run.result().sent());
    s.note("e7_delivered", run.result().summary().delivered());
    s.note("e7_lost", run.result().lost());
    s.note("e7_duplicates", run.result().summary().duplicates());
    s.note("e7_moves", run.moves().size());
    s.note("e7_first_change_at_s", measured.isEmpty() ? "-" : measured.get(0).startS());
    if (run.controllerFailure() != null) {
      s.note("e7_controller_failure", run.controllerFailure());
    }
    s.say("");
    s.say("E7 adaptive re-placement");
    cond.print(s.console);
    log.forEach(s::say);
  }

  /** The path most frames took at time {@code t} of the run. */
  private static String placementAt(ScheduledTestbedRun.Outcome run, double t) {
    String p = START;
    for (TestbedController.Sample x : run.samples()) {
      if (x.atSeconds() > t) {
        break;
      }
      p = x.path();
    }
    return p;
  }

  private static double median(double[] v) {
    return v.length == 0 ? Double.NaN : Spread.of(v).median();
  }

  private static String range(double[] v) {
    return v.length == 0 ? "-" : Table.format(Spread.of(v).min()) + "-" + Table.format(Spread.of(v).max());
  }
}
