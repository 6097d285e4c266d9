package io.edgepipe.experiments;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.testbed.CompilingWindowRetry;
import io.edgepipe.harness.testbed.ScheduledTestbedRun;
import io.edgepipe.harness.testbed.ScheduledTestbedRun.Step;
import io.edgepipe.harness.testbed.TestbedController;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.planner.predict.LinkWire;
import io.edgepipe.planner.predict.Prediction;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.testbed.TestbedState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * E4/E5 as a grid of scenarios on the testbed: edge CPU quota x link rate x frame size, every
 * placement in each, each point repeated. Per frame size the chain starts twice: once with the
 * producer on the server (SSSS, which uses neither the link nor the edge, so one scenario stands
 * for all), and once with the producer on the edge and every stage idling warm on the other
 * node, so that the run can visit ESSS, EESS, EEES and EEEE under every scenario by repointing,
 * the link and the quota changed in place (tc, cgroup). Each visit: frames as fast as the chain
 * goes (fps), then frames paced at half that rate (latency). Repeats go through all scenarios
 * again, the placements in the opposite order. Beside each point the planner's prediction, and per
 * scenario the best placement as the planner, the measurements and two naive rules (always SSSS;
 * fewest bytes over the link) see it.
 */
public final class GridExperiment {
  static final String RUNS_CSV = "e4_grid.csv";
  static final String POINTS_CSV = "e5_grid.csv";
  static final String BEST_CSV = "e5_grid_best.csv";
  static final String SERVICE_CPU_CSV = "e5_grid_service_cpu.csv";
  /** What the predictions are made from (profile, calibration visits, host), so a kept run can be replayed. */
  static final String INPUTS_CSV = "e5_grid_inputs.csv";
  /** SSSS's flat-out visit before its measured repeats. */
  static final String CAL_SSSS = "cal|SSSS";
  /** The same after its repeats. */
  static final String CAL_SSSS_LATE = CAL_SSSS + "|late";
  /** The link of the warm-up and calibration visits: fast enough that no placement waits for it. */
  static final String CALIBRATION_LINK = "1gbit";
  static final List<String> EDGE_PLACEMENTS = List.of("ESSS", "EESS", "EEES", "EEEE");
  static final String ALL_SERVER = "SSSS";

  /** Columns of {@link #RUNS_CSV}: every visit (placement, scenario, repeat). */
  public enum RunColumn implements CsvColumn {
    SIDE, EDGE_CPU, LINK, PLACEMENT, REPEAT, FPS, LAT_P50_MS, PACE_FPS, EDGE_CORES_USED, EDGE_THROTTLED_PCT,
    SERVER_CORES_USED
  }

  /** Columns of {@link #POINTS_CSV}: per point, the repeats' median and range beside the prediction. */
  public enum PointColumn implements CsvColumn {
    SIDE, EDGE_CPU, LINK, PLACEMENT, REPEATS, FPS, FPS_MIN, FPS_MAX, LAT_P50_MS, LAT_MIN, LAT_MAX, PRED_FPS,
    PRED_LATENCY_MS, PRED_LIMIT, FPS_ERR_PCT, LAT_ERR_PCT, OLD_PRED_FPS, OLD_FPS_ERR_PCT, OLD_PRED_LATENCY_MS,
    OLD_LAT_ERR_PCT
  }

  /** Columns of {@link #SERVICE_CPU_CSV}: what {@link GridCpuFit} found per service and node. */
  public enum ServiceCpuColumn implements CsvColumn {
    SIDE, TIER, SERVICE, CPU_MS_PER_FRAME, BACKGROUND_CORES
  }

  /** Columns of {@link #BEST_CSV}: per scenario, who picks a placement that is measured best (within the spread). */
  public enum BestColumn implements CsvColumn {
    SIDE, EDGE_CPU, LINK, MEASURED_BEST, TIED_WITHIN_SPREAD, PLANNER, PLANNER_OK, ALWAYS_SSSS_OK, FEWEST_BYTES,
    FEWEST_BYTES_OK, OLD_PLANNER, OLD_PLANNER_OK
  }

  /**
   * Columns of {@link #INPUTS_CSV}, one row per input: {@code compute} (stage, tier, median ms, p95
   * ms), {@code source} (the producer's work after the capture stamp, same), {@code hop} (hop,
   * bytes, loopback ms, CPU ms both ends), {@code visit} (label, fps, edge cores, server cores),
   * {@code host} (cores). A paced visit's median latency is in D.
   */
  public enum InputColumn implements CsvColumn {
    SIDE, KIND, NAME, TIER, BYTES, A, B, C, D
  }

  /**
   * A measured visit's window counts at least this many frames crossing the link: at 512x512 and
   * 10 Mbit EESS and EEES pass about one frame a second, and a 2 s window held two or three, so the
   * same point read 1.0 to 1.4 fps between repeats (spread 124-383% in session 10's grid, where
   * the link-bound points at 100 Mbit agree within 0.1-1.2%).
   */
  static final int THR_MIN_FRAMES = 8;

  /**
   * The window of placement {@code p}'s measured visit at {@code link}: {@code seconds}, or as long
   * as {@value #THR_MIN_FRAMES} frames of the hop it sends over the link take on the wire.
   */
  static double thrWindowSeconds(double seconds, ProfileMeasurer.Measured m, int side, String p, String link) {
    int hop = linkHop(p);
    return hop < 0 ? seconds : framesOnWireSeconds(seconds, THR_MIN_FRAMES, hopBytes(m, side, hop), link);
  }

  /** The hop placement {@code p} sends from the edge to the server (0: producer -> conv), or -1 (EEEE, SSSS). */
  static int linkHop(String p) {
    int firstServer = p.indexOf('S'); // the producer is the first letter: ESSS sends hop 0, EESS hop 1
    return firstServer <= 0 ? -1 : firstServer - 1;
  }

  /** {@code seconds}, or as long as {@code frames} frames of {@code bytes} take on {@code link}'s wire. */
  static double framesOnWireSeconds(double seconds, int frames, long bytes, String link) {
    return Math.max(seconds, frames * new LinkWire(BitRate.parse(link), 0).busyMs(bytes) / 1e3);
  }

  /** The bytes of hop {@code hop} (0: producer -> first stage) at {@code side} x {@code side}, as profiled. */
  private static long hopBytes(ProfileMeasurer.Measured m, int side, int hop) {
    return m.hops().stream().filter(h -> h.hop().equals(ProfileMeasurer.hopName(m.base(), hop))
            && h.size().equals(io.edgepipe.planner.profile.FrameSize.of(side, side))).mapToLong(ProfileMeasurer.Hop::bytes)
        .findFirst().orElse((long) side * side);
  }

  /**
   * What the grid covers and how long each visit lasts.
   *
   * @param thrSeconds    seconds of frames as fast as the chain goes per visit (after {@code settleSeconds})
   * @param pacedSeconds  seconds of paced frames per visit
   */
  public record GridPlan(List<Integer> sides, List<Double> edgeCpus, List<String> links, int repeats,
      double settleSeconds, double thrSeconds, double pacedSeconds, String source) {
    public static final List<Double> CPUS = List.of(0.25, 0.5, 2.0);
    public static final List<String> LINKS = List.of("10mbit", "100mbit", "1gbit");
    public static final List<Integer> SIDES = List.of(256, 512);

    public static GridPlan full(String source) {
      // 1.5 s of paced frames: up to 30 for a latency median (2 s and a 0.5 s settle made the full grid 33 min)
      return new GridPlan(SIDES, CPUS, LINKS, 3, 1, 2, 1.5, source);
    }

    /** The producer's frame at the largest size (a byte a pixel): what the slow links' visits wait for longest. */
    private long largestFrameBytes() {
      long side = sides.stream().mapToLong(Integer::longValue).max().orElse(0);
      return side * side;
    }

    int scenarios() {
      return edgeCpus.size() * links.size();
    }

    /**
     * Estimated wall time: per size a profile, two chain starts with warm-up, the warm-up and
     * calibration visits, and every visit (a paced step first waits for the frames the step
     * before queued: about a second, more behind a slow link).
     */
    public double estimateSeconds() {
      double visit = settleSeconds + thrSeconds + PACED_SETTLE_SECONDS + pacedSeconds + 0.4 + 1.0; // + control, drain
      double perSize = 60 /* profile */ + 45 + 45 - (10 - EDGE_RUN_WARMUP_SECONDS) /* JVM starts and warm-up */
          + SSSS_WARMUP_MAX_SECONDS / 2 + 2 * (settleSeconds + CALIBRATION_SECONDS) + 2 * (PACED_SETTLE_SECONDS
          + pacedSeconds + 1) + SSSS_REWARMUP_MAX_SECONDS / 2 /* SSSS's warm-ups and calibration visits */
          + EDGE_PLACEMENTS.size() * (WARMUP_SECONDS_EST + QUOTA_WARMUP_MAX_SECONDS
              + CALIBRATION_PASSES * (CALIBRATION_SECONDS + 0.5))
          + GridLinkReceive.slowLinks(links).stream().mapToDouble(l -> 1 + GridLinkReceive.visitSeconds(
              CALIBRATION_SECONDS, largestFrameBytes(), l) + 0.5).sum() + IDLE_SECONDS
          + EDGE_PLACEMENTS.size() * (CALIBRATION_SECONDS + 0.5) + THROTTLED_PASSES * (1 + CALIBRATION_SECONDS + 0.5)
          + 1 + PACED_SETTLE_SECONDS + PACED_CALIBRATION_SECONDS
          + IDLE_SECONDS /* the visits after the grid */
          + repeats * (visit /* SSSS */ + scenarios() * EDGE_PLACEMENTS.size() * visit);
      return sides.size() * perSize;
    }
  }

  /**
   * A warm-up visit lasts at least {@link ScheduledTestbedRun#WARMUP_MIN_S} s, then until its rate
   * settles and the JIT is quiet, at most this. At 7 s (sessions 9 and 10) every edge warm-up but
   * ESSS's ended at the limit with its JVMs still compiling 0.7-0.95 s of CPU a second.
   */
  static final double WARMUP_MAX_SECONDS = 15;
  /** What an unthrottled warm-up visit takes (at 7 s all but ESSS's ran to the end in the quiet grids). */
  static final double WARMUP_SECONDS_EST = 12;
  /**
   * The edge's warm-up visits under the grid's least quota (each until the JIT is quiet, at most
   * this). At 8 s (sessions 9 and 10) EESS's, EEES's and EEEE's ended at the limit still compiling
   * 0.14 s of CPU a second, over half a 0.25-core quota; the grid's first repeat at 0.25 cores then
   * passed 0.84-0.87 of the points' medians on average (the first EEEE visit 0.42-0.5), and visits
   * whose window held JIT compile of 10% of the edge's CPU or more 0.82-0.88.
   */
  static final double QUOTA_WARMUP_MAX_SECONDS = 20;
  /** SSSS's warm-up before its calibration visit: until the rate settles and the JIT is quiet, at most this. */
  static final double SSSS_WARMUP_MAX_SECONDS = 20;
  /** SSSS's second warm-up, after a paced visit: at most this. */
  static final double SSSS_REWARMUP_MAX_SECONDS = 10;
  /**
   * A paced visit in SSSS's warm-up, so that the JVMs have compiled the paced path before its
   * calibration visit: in session 11 at 256 the JIT was quiet after the warm-up, yet after the
   * first paced visits the repeats read 856 and 941 fps (0.34 s of compile CPU in the second's
   * window), then 1175 and 1186.
   */
  static final String SSSS_PACED_WARMUP = "warm-up|SSSS|paced";
  /** How the grid's flat-out visits are measured again when the JIT was busy in their window. */
  static final CompilingWindowRetry RETRY = CompilingWindowRetry.ONCE_ABOVE_5_PCT;
  /** An unthrottled calibration visit per edge placement (1 s of it settling), and the visit with no frames. */
  static final double CALIBRATION_SECONDS = 2.5;
  /**
   * Calibration passes; per placement the one with the least edge CPU per frame counts: a JIT still
   * compiling (a loaded host's warm-up ends at its limit unsettled) only ever adds CPU.
   */
  static final int CALIBRATION_PASSES = 2;
  static final double IDLE_SECONDS = 4;
  /** Visits of the all-edge chain under the grid's least quota after the repeats (the one with the most fps counts). */
  static final int THROTTLED_PASSES = 2;
  /** Seconds of EEEE's paced visit after the grid (up to 40 frames at 20 fps for its median latency). */
  static final double PACED_CALIBRATION_SECONDS = 2;
  /** The edge run's own warm-up before its schedule (its warm-up visits follow). */
  static final double EDGE_RUN_WARMUP_SECONDS = 3;
  /** A paced step's first part, left out of its latency window (the producer's new pace taking hold). */
  static final double PACED_SETTLE_SECONDS = 0.3;

  private GridExperiment() {}

  public static void run(Suite s, GridPlan g) {
    TestbedDriver driver = s.testbed.driver();
    if (driver == null) {
      s.note("e4_status", "skipped: " + s.testbed.reason());
      return;
    }
    int host = Runtime.getRuntime().availableProcessors();
    s.note("e4_status", "measured (grid)");
    s.note("e4_grid", g.sides().size() + " size(s) " + g.sides() + " x edge cpu " + g.edgeCpus() + " x links "
        + g.links() + " = " + g.sides().size() * g.scenarios() + " scenarios, " + g.repeats() + " repeats, "
        + "source " + g.source());
    s.note("e4_grid_estimate_min", g.estimateSeconds() / 60);
    s.note("e4_grid_full_estimate_min", GridPlan.full(g.source()).estimateSeconds() / 60);
    s.note("e4_method", "per frame size two starts of the chain (reliable delivery, frames from " + g.source()
        + "): SSSS, and the producer on the edge with every stage also idling warm on the other node (the edge's "
        + "JVMs with " + String.join(" ", io.edgepipe.testbed.NodeLauncher.QUOTA_NODE_JVM_FLAGS) + ", every node's with "
        + String.join(" ", io.edgepipe.testbed.NodeLauncher.WARM_JIT_FLAGS) + "); SSSS first warms up until its rate "
        + "settles and the JIT is quiet (at most " + SSSS_WARMUP_MAX_SECONDS + " s), paced once and the same way "
        + "again (at most " + SSSS_REWARMUP_MAX_SECONDS + " s: the JVMs compile the paced path and then the "
        + "flat-out one again), then runs flat out for "
        + CALIBRATION_SECONDS + " s before its measured repeats and once more after them (its calibration visits, "
        + "not measured repeats); the second first visits each placement unthrottled at " + CALIBRATION_LINK
        + " until its rate settles and the JIT is quiet (at most " + WARMUP_MAX_SECONDS + " s), then each under "
        + "the grid's least quota the same way (at most " + QUOTA_WARMUP_MAX_SECONDS + " s: the JVMs compile again "
        + "the first time they run throttled), " + CALIBRATION_PASSES + " more times for " + CALIBRATION_SECONDS
        + " s to measure each node's CPU per frame (the pass with the least edge CPU per frame counts), ESSS flat out "
        + "unthrottled at each link slower than " + CALIBRATION_LINK + " (what a node pays per segment received there), "
        + "and once with 1 frame/s (the JVMs' background), then "
        + "visits ESSS, EESS, EEES and EEEE under every scenario by repointing, the link (tc) and the edge's quota "
        + "(cgroup) changed in place; per visit " + g.settleSeconds() + " s of settling, " + g.thrSeconds()
        + " s of frames as fast as the chain goes (fps; longer where fewer than " + THR_MIN_FRAMES
        + " frames would cross the link in that time), a hold until the frames it queued have arrived, and "
        + g.pacedSeconds() + " s of frames at half that rate, "
        + "at most 20 fps (latency = their median); each repeat goes through every scenario again, the placements "
        + "in the opposite order; after the repeats, on JVMs warm for minutes, each placement once more unthrottled "
        + "(cal|P|late), EEEE paced (a lone frame's walk on the edge), EEEE " + THROTTLED_PASSES + " times flat out under the least quota (its CPU per frame there) and "
        + "once more with 1 frame/s; these visits are calibration (no grid point is predicted from its own "
        + "measurement), made after the grid so that every instance's JIT is done; a flat-out visit (repeat or "
        + "calibration) whose window had a node's JIT compiler using more than "
        + Math.round(100 * RETRY.maxCompileShare()) + "% of that node's CPU is measured once more, settling "
        + "again, and the second window counts (e4_visits_measured_again_*; the first is in the schedule log); "
        + "spread = min-max of the repeats");
    Table runs = CsvColumn.table(RunColumn.values());
    Table points = CsvColumn.table(PointColumn.values());
    Table best = CsvColumn.table(BestColumn.values());
    Table serviceCpu = CsvColumn.table(ServiceCpuColumn.values());
    Table inputs = CsvColumn.table(InputColumn.values());
    long started = System.nanoTime();
    try {
      for (int side : g.sides()) {
        PipelineSpec spec = s.spec.withInput(side, side).withDelivery(Delivery.RELIABLE);
        s.task("E5 profile " + side + "x" + side);
        Suite one = s.withPlan(s.plan.withSizes(List.of(side)));
        ProfileMeasurer.Measured m = ProfileMeasurer.measure(one, List.of(Tier.SERVER));
        List<ProfileMeasurer.Compute> source = g.source() != null && g.source().startsWith("video:")
            ? new SustainedCompute(3, s.plan.profileFrames(), s.plan.computeSeconds())
                .videoSource(s.spec, List.of(side), Tier.SERVER)
            : List.of();
        double topCpu = g.edgeCpus().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        RunOptions o = new RunOptions(spec, s.specFile, g.source(), 0, 0, 1, s.device, s.seed, null, "npy");
        Map<String, List<double[]>> measured = new LinkedHashMap<>(); // "cpu|link|placement" -> {fps, lat} per repeat
        List<GridModel.Visit> visits = new ArrayList<>();

        s.task("E4 " + side + "x" + side + " SSSS");
        driver.up(g.links().get(0), topCpu);
        List<Step> ssss = new ArrayList<>();
        // until the server's JIT is quiet: session 8's calibration visit, 10 s after the start, still compiled
        // (0.46 s of compile CPU in its window at 512) and read 7.0 ms of CPU per frame against 4.5-5.0 in the repeats
        ssss.add(new Step("warm-up " + ALL_SERVER, 0, 0, 0, SSSS_WARMUP_MAX_SECONDS, 0, null, true, true));
        ssss.add(new Step(SSSS_PACED_WARMUP, 0, 0, -20, PACED_SETTLE_SECONDS + g.pacedSeconds(), PACED_SETTLE_SECONDS));
        ssss.add(new Step("warm-up " + ALL_SERVER + " again", 0, 0, 0, SSSS_REWARMUP_MAX_SECONDS, 0, null, true, true));
        // one visit flat out before the measured repeats: SSSS's CPU per frame and the cores the host gives the nodes
        ssss.add(new Step(CAL_SSSS, 0, 0, 0, g.settleSeconds() + CALIBRATION_SECONDS, g.settleSeconds()));
        // and paced, as the latency steps are: a lone frame's walk through the chain
        ssss.add(new Step(GridModel.PACED_SSSS, 0, 0, -20, PACED_SETTLE_SECONDS + g.pacedSeconds(),
            PACED_SETTLE_SECONDS));
        for (int r = 0; r < g.repeats(); r++) {
          ssss.add(new Step("thr|" + r, 0, 0, 0, g.settleSeconds() + g.thrSeconds(), g.settleSeconds()));
          ssss.add(new Step("lat|" + r, 0, 0, -20, PACED_SETTLE_SECONDS + g.pacedSeconds(),
              PACED_SETTLE_SECONDS));
        }
        // and once more after them, on JVMs warm for longer (the least CPU per frame of the two counts)
        ssss.add(new Step(CAL_SSSS_LATE, 0, 0, 0, g.settleSeconds() + CALIBRATION_SECONDS, g.settleSeconds()));
        ScheduledTestbedRun.Outcome all = ScheduledTestbedRun.run(driver.state(), ALL_SERVER, o, 10, ssss,
            watcher(m, spec, driver.state(), ALL_SERVER), false, s.logs.resolve("grid-" + side + "-ssss"),
            schedule(s, "grid-" + side + "-ssss"), RETRY);
        List<ScheduledTestbedRun.StepResult> ssssSteps = all.steps().stream()
            .filter(x -> x.step().label().startsWith("thr|") || x.step().label().startsWith("lat|")).toList();
        all.steps().stream().filter(x -> x.step().label().equals(CAL_SSSS) || x.step().label().equals(CAL_SSSS_LATE))
            .forEach(x -> visits.add(new GridModel.Visit(x.step().label(), x.fps(), 0, x.serverCores())));
        all.steps().stream().filter(x -> x.step().label().equals(GridModel.PACED_SSSS)).findFirst()
            .ifPresent(x -> visits.add(new GridModel.Visit(GridModel.PACED_SSSS, x.paceFps(), 0, x.serverCores(),
                x.latencyP50Ms())));
        List<double[]> ssssRuns = pairs(ssssSteps);
        for (int r = 0; r < ssssRuns.size(); r++) {
          ScheduledTestbedRun.StepResult thr = ssssSteps.get(2 * r);
          visits.add(new GridModel.Visit("ssss|" + r, thr.fps(), 0, thr.serverCores()));
        }
        driver.down();

        s.task("E4 " + side + "x" + side + " edge placements");
        // warm-up and calibration unthrottled (the host's cores, a link no placement waits for): the JIT done
        // before any quota is cut, each service's CPU per frame measured as the chain spends it
        double calCpu = Math.max(topCpu, host);
        long calLink = (long) BitRate.parse(CALIBRATION_LINK);
        driver.up(CALIBRATION_LINK, calCpu);
        TestbedState state = driver.state();
        List<Step> steps = new ArrayList<>();
        double leastCpu = g.edgeCpus().stream().mapToDouble(Double::doubleValue).min().orElse(calCpu);
        for (String p : EDGE_PLACEMENTS) {
          steps.add(new Step("warm-up " + p, calLink, calCpu, 0, WARMUP_MAX_SECONDS, 0, p, true, true));
        }
        // and under the least quota: the JVMs compile again the first time they pass frames throttled (E7; in
        // session 8's grid EEEE's first repeat at 0.25 cores compiled 0.16-0.29 s in its 2 s window and passed
        // 25-49 fps, the later ones 65-93)
        for (String p : EDGE_PLACEMENTS) {
          steps.add(new Step("warm-up " + p + " at edge cpu " + leastCpu, calLink, leastCpu, 0,
              QUOTA_WARMUP_MAX_SECONDS, 0, p, true, true));
        }
        for (int pass = 0; pass < CALIBRATION_PASSES; pass++) {
          for (String p : EDGE_PLACEMENTS) {
            steps.add(new Step("cal|" + p + "|" + pass, calLink, calCpu, 0, CALIBRATION_SECONDS, 1, p));
          }
        }
        // ESSS flat out at each slower link, unthrottled: what a node pays per segment it receives there and
        // the most ESSS passes there (GridLinkReceive; a second of it settling: the link's queue fills)
        long upBytes = hopBytes(m, side, 0);
        for (String link : GridLinkReceive.slowLinks(g.links())) {
          steps.add(new Step(GridLinkReceive.label(link), (long) BitRate.parse(link), calCpu, 0,
              1 + GridLinkReceive.visitSeconds(CALIBRATION_SECONDS, upBytes, link), 1, GridLinkReceive.PLACEMENT));
        }
        // the JVMs with (almost) no frames: what they burn anyway
        steps.add(new Step(GridModel.IDLE, calLink, calCpu, 1, IDLE_SECONDS, 1, "ESSS"));
        for (int r = 0; r < g.repeats(); r++) {
          for (double cpu : g.edgeCpus()) {
            for (String link : g.links()) {
              List<String> order = new ArrayList<>(EDGE_PLACEMENTS);
              if (r % 2 == 1) {
                java.util.Collections.reverse(order);
              }
              for (String p : order) {
                String key = cpu + "|" + link + "|" + p + "|" + r;
                steps.add(new Step("thr|" + key, (long) BitRate.parse(link), cpu, 0,
                    g.settleSeconds() + thrWindowSeconds(g.thrSeconds(), m, side, p, link), g.settleSeconds(), p));
                steps.add(new Step("lat|" + key, 0, 0, -20, PACED_SETTLE_SECONDS + g.pacedSeconds(),
                    PACED_SETTLE_SECONDS));
              }
            }
          }
        }
        steps.addAll(lateCalibration(calLink, calCpu, leastCpu));
        // a short first warm-up: the warm-up visits above give every instance its frames
        ScheduledTestbedRun.Outcome edge = ScheduledTestbedRun.run(state, "ESSS", o, EDGE_RUN_WARMUP_SECONDS, steps,
            watcher(m, spec, state, "ESSS"), true, s.logs.resolve("grid-" + side + "-edge"),
            schedule(s, "grid-" + side + "-edge"), RETRY);
        driver.down();
        s.note("e4_visits_measured_again_" + side, measuredAgain(all) + measuredAgain(edge) + " of "
            + (flatOut(all) + flatOut(edge)) + " flat-out visits");
        for (ScheduledTestbedRun.StepResult x : edge.steps()) {
          String label = x.step().label();
          if (label.startsWith("cal|") || label.startsWith(GridModel.IDLE) || label.startsWith(GridModel.THROTTLED)
              || label.startsWith(GridLinkReceive.LABEL + "|")) {
            visits.add(new GridModel.Visit(label, x.fps(), x.edgeCores(), x.serverCores()));
          } else if (label.equals(GridModel.PACED_EEEE)) {
            visits.add(new GridModel.Visit(label, x.paceFps(), x.edgeCores(), x.serverCores(), x.latencyP50Ms()));
          }
        }
        GridModel.Inputs in = new GridModel.Inputs(m, side, source, visits, host);
        inputRows(in).forEach(inputs::row);
        GridCpuFit fit = GridModel.fit(GridModel.Version.NEW, in);
        s.note("e5_edge_idle_cores_" + side, fit.edgeIdle());
        s.note("e5_edge_extra_ms_per_service_" + side, fit.edgeExtraMs());
        s.note("e5_server_idle_cores_" + side, fit.serverIdle());
        s.note("e5_host_capacity_cores_" + side, GridModel.hostCapacity(in));
        fit.rows(side).forEach(serviceCpu::row);

        // the visits, and SSSS's repeats for every scenario
        List<ScheduledTestbedRun.StepResult> results = edge.steps();
        for (int i = 0; i + 1 < results.size(); i++) {
          ScheduledTestbedRun.StepResult thr = results.get(i);
          if (!thr.step().label().startsWith("thr|")) {
            continue;
          }
          ScheduledTestbedRun.StepResult lat = results.get(i + 1);
          String[] k = thr.step().label().split("\\|");
          measured.computeIfAbsent(k[1] + "|" + k[2] + "|" + k[3], x -> new ArrayList<>())
              .add(new double[] {thr.fps(), lat.latencyP50Ms()});
          runs.row(side, k[1], k[2], k[3], Integer.parseInt(k[4]) + 1, thr.fps(), lat.latencyP50Ms(), lat.paceFps(),
              thr.edgeCores(), thr.edgeThrottledPct(), thr.serverCores());
        }
        for (double cpu : g.edgeCpus()) {
          for (String link : g.links()) {
            measured.put(cpu + "|" + link + "|" + ALL_SERVER, ssssRuns);
          }
        }
        for (int r = 0; r < ssssRuns.size(); r++) {
          runs.row(side, "-", "-", ALL_SERVER, r + 1, ssssRuns.get(r)[0], ssssRuns.get(r)[1], "-", "-", "-",
              ssssSteps.get(2 * r).serverCores());
        }

        // predictions per scenario, and who picks the best
        for (double cpu : g.edgeCpus()) {
          for (String link : g.links()) {
            Map<String, Spread[]> spreads = new LinkedHashMap<>();
            for (String p : placementsOf()) {
              List<double[]> reps = measured.getOrDefault(cpu + "|" + link + "|" + p, List.of());
              double[] fps = reps.stream().mapToDouble(x -> x[0]).toArray();
              double[] lat = reps.stream().mapToDouble(x -> x[1]).filter(Double::isFinite).toArray();
              spreads.put(p, new Spread[] {spread(fps), spread(lat), new Spread(reps.size(), reps.size(), reps.size())});
            }
            scenario(points, best, in, cpu, link, spreads);
          }
        }
      }
    } finally {
      driver.down();
      runs.writeCsv(s.dir.resolve(RUNS_CSV));
      points.writeCsv(s.dir.resolve(POINTS_CSV));
      best.writeCsv(s.dir.resolve(BEST_CSV));
      serviceCpu.writeCsv(s.dir.resolve(SERVICE_CPU_CSV));
      inputs.writeCsv(s.dir.resolve(INPUTS_CSV));
      s.note("e4_grid_wall_min", (System.nanoTime() - started) / 6e10);
    }
    s.note("e5_status", "predicted and measured (grid)");
    s.note("e5_profile", PROFILE_NOTE + " Server and host: " + host + " cores (both nodes share this host).");
    s.say("");
    s.say("E5 grid: predicted vs measured (median of repeats)");
    points.print(s.console);
    best.print(s.console);
  }

  /** How the predictions are made (the report's "Profile:" line; also written by {@link GridReplay}). */
  static final String PROFILE_NOTE = "per frame size: compute of every stage measured in this process (server tier), "
      + "the producer's with the work a video source does after stamping a frame's capture time (copying the decoded "
      + "picture, luma); on the edge the same CPU time while it fits in one CFS period's budget (quota x 100 ms), "
      + "else stretched by the quota; hops over loopback gRPC (time and CPU); the edge-server link: the payload with "
      + "its TCP/IP/Ethernet headers (x1514/1448) at the rate, a limit of its own (it drains one frame while the sender "
      + "prepares the next), and for a paced frame the shaper's bucket (1 ms of the link) crosses at once. CPU per "
      + "frame of every service on each node from calibration visits (the least of " + CALIBRATION_PASSES
      + " unthrottled visits per placement at " + CALIBRATION_LINK + " before the grid and one after it, each node's CPU less its JVMs' background; "
      + "differences between placements E^k S^(n-k) with the socket CPU of the hops over the link taken out first, so "
      + "a service's CPU is for in-node hops and each hop over the link adds its socket CPU, half at each end: "
      + "e5_grid_service_cpu.csv; SSSS from the mean of its own flat-out visits before and after its repeats, at the cores they used, not the host's capacity); background = the CPU the JVMs "
      + "burn with no frames, split evenly over the node's JVMs (the least of the visits before and after the grid); "
      + "each service on the edge also pays what the all-edge chain used per frame under the least quota (the median "
      + "of its throttled visits after the grid) beyond its warm unthrottled visit, split evenly over the services, "
      + "where the quota binds (below the host's capacity) (e5_edge_extra_ms_per_service_*; the grid's points ran at "
      + "that cost, not at the warm unthrottled one); "
      + "no edge placement faster than its fastest unthrottled calibration visit (no scenario gives it more CPU or a "
      + "faster link; limit column '" + GridModel.CALIBRATION_LIMIT + "'); "
      + "over a link slower than " + CALIBRATION_LINK + " each node also pays per TCP segment it receives what ESSS's "
      + "unthrottled visit at that link before the grid (rx|ESSS|LINK) used per frame beyond its calibration pass, per "
      + "segment received there (runs without that visit: nothing), and ESSS no faster there than that visit; "
      + "a lone (paced) frame's extra walk through the chain "
      + "(SSSS's paced calibration visit less the model's SSSS latency on the server, EEEE's paced visit after the grid less the model's EEEE on the edge; a placement gets each in proportion to its services there) is added to every placement's latency. A node with quota q passes (q - its JVMs' background, "
      + "idle standbys included) / (sum of its services' CPU per frame) frames per ms; the host gives the nodes the "
      + "most cores they used together in those visits (e5_host_capacity_cores_*). Everything the predictions use is "
      + "in e5_grid_inputs.csv (`pipeline bench experiments --replay-grid DIR` recomputes them). old_*: session 6's "
      + "model (negative differences as 0, SSSS from its own repeats, the host's nominal cores, payload bytes only, the "
      + "link's time added to the sender's)";

  /** A number with every digit (a replay must compute what the run computed); "-" for NaN. */
  private static String exact(double v) {
    return Double.isNaN(v) ? "-" : Double.toString(v);
  }

  /** Flat-out visits of a run that were measured more than once ({@link #RETRY}). */
  static long measuredAgain(ScheduledTestbedRun.Outcome run) {
    return run.steps().stream().filter(x -> x.attempts() > 1).count();
  }

  static long flatOut(ScheduledTestbedRun.Outcome run) {
    return run.steps().stream().filter(x -> x.step().flatOut()).count();
  }

  /** Every placement of the grid, SSSS first. */
  static List<String> placementsOf() {
    List<String> placements = new ArrayList<>(List.of(ALL_SERVER));
    placements.addAll(EDGE_PLACEMENTS);
    return placements;
  }

  private static Spread spread(double[] values) {
    return values.length > 0 ? Spread.of(values) : new Spread(Double.NaN, Double.NaN, Double.NaN);
  }

  /**
   * One scenario's rows: per placement the measured spreads ({fps, latency, repeats}) beside both
   * models' predictions, and who picks a measured-best placement.
   */
  static void scenario(Table points, Table best, GridModel.Inputs in, double cpu, String link,
      Map<String, Spread[]> measured) {
    Map<String, Prediction> predicted = GridModel.predict(GridModel.Version.NEW, in, cpu, BitRate.parse(link));
    Map<String, Prediction> old = GridModel.predict(GridModel.Version.OLD, in, cpu, BitRate.parse(link));
    Map<String, Spread> fpsSpread = new LinkedHashMap<>();
    for (String p : placementsOf()) {
      Spread[] sp = measured.get(p);
      Spread f = sp[0];
      Spread l = sp[1];
      Prediction pr = predicted.get(p);
      Prediction was = old.get(p);
      fpsSpread.put(p, f);
      points.row(in.side(), cpu, link, p, (int) sp[2].median(), f.median(), f.min(), f.max(), l.median(), l.min(),
          l.max(), pr.fps(), pr.latencyMs(), GridModel.limit(in, p, pr, BitRate.parse(link)),
          PlacementExperiment.errPct(pr.fps(), f.median()),
          PlacementExperiment.errPct(pr.latencyMs(), l.median()), was.fps(),
          PlacementExperiment.errPct(was.fps(), f.median()), was.latencyMs(),
          PlacementExperiment.errPct(was.latencyMs(), l.median()));
    }
    String top = fpsSpread.entrySet().stream().filter(e -> Double.isFinite(e.getValue().median()))
        .max(java.util.Comparator.comparingDouble(e -> e.getValue().median())).map(Map.Entry::getKey).orElse("-");
    List<String> tied = new ArrayList<>();
    if (!top.equals("-")) {
      double floor = fpsSpread.get(top).min();
      fpsSpread.forEach((p, sp) -> {
        if (sp.max() >= floor) {
          tied.add(p); // its best repeat reaches the best placement's worst
        }
      });
    }
    String planner = PlacementExperiment.bestBy(predicted, true);
    String oldPlanner = PlacementExperiment.bestBy(old, true);
    String fewest = "EEEE"; // with the sink beside the producer, EEEE sends nothing over the link
    best.row(in.side(), cpu, link, top, String.join(" ", tied), planner, yes(tied.contains(planner)),
        yes(tied.contains(ALL_SERVER)), fewest, yes(tied.contains(fewest)), oldPlanner, yes(tied.contains(oldPlanner)));
  }

  /** The rows of {@link #INPUTS_CSV} for one frame size: what {@link GridModel} predicts from, every digit kept. */
  static List<Object[]> inputRows(GridModel.Inputs in) {
    List<Object[]> rows = new ArrayList<>();
    for (ProfileMeasurer.Compute c : in.m().compute()) {
      rows.add(new Object[] {in.side(), "compute", c.stage(), c.tier().name().toLowerCase(Locale.ROOT), "-",
          exact(c.medianMs()), exact(c.p95Ms()), "-", "-"});
    }
    for (ProfileMeasurer.Compute c : in.source()) {
      rows.add(new Object[] {in.side(), "source", c.stage(), c.tier().name().toLowerCase(Locale.ROOT), "-",
          exact(c.medianMs()), exact(c.p95Ms()), "-", "-"});
    }
    for (ProfileMeasurer.Hop h : in.m().hops()) {
      rows.add(new Object[] {in.side(), "hop", h.hop(), "-", h.bytes(), exact(h.loopbackMs()), exact(h.cpuMs()), "-",
          "-"});
    }
    for (GridModel.Visit v : in.visits()) {
      rows.add(new Object[] {in.side(), "visit", v.label(), "-", "-", exact(v.fps()), exact(v.edgeCores()),
          exact(v.serverCores()), exact(v.latencyMs())});
    }
    rows.add(new Object[] {in.side(), "host", "cores", "-", "-", in.hostCores(), "-", "-", "-"});
    return rows;
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  /** Pairs of (throughput step, paced step) as {fps, latency p50}, in order. */
  private static List<double[]> pairs(List<ScheduledTestbedRun.StepResult> steps) {
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i + 1 < steps.size(); i += 2) {
      out.add(new double[] {steps.get(i).fps(), steps.get(i + 1).latencyP50Ms()});
    }
    return out;
  }

  /** A controller that only watches (records the timeline): the grid places the chain itself. */
  private static TestbedController watcher(ProfileMeasurer.Measured m, PipelineSpec spec, TestbedState state,
      String start) {
    Profile p = ProfileMeasurer.profile(m, m.compute(), state.bandwidthBps());
    return TestbedController.forTestbed(p, spec, new Placement(start), state, AdaptiveExperiment.settings(), x -> { },
        false);
  }

  /** Appends the schedule's lines (each step's start on the run's clock) to {@code logs/NAME/schedule.log}. */
  static java.util.function.Consumer<String> schedule(Suite s, String name) {
    java.nio.file.Path file = s.logs.resolve(name).resolve("schedule.log");
    return line -> {
      try {
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        // the schedule's log is for reading afterwards; the run goes on without it
      }
    };
  }

  /**
   * Visits after the grid's repeats, on JVMs that have run for minutes: every edge placement
   * unthrottled once more ("cal|P|late": an instance that runs in one placement only, such as
   * the edge's maxpool in EEEE, was still warming during the first passes), the all-edge chain
   * flat out under {@code leastCpu} cores ({@value #THROTTLED_PASSES} times: its CPU per frame
   * under a quota, see {@link GridCpuFit#edgeExtraMs}), and the JVMs with no frames again ("idle|late").
   */
  static List<Step> lateCalibration(long calLink, double calCpu, double leastCpu) {
    List<Step> steps = new ArrayList<>();
    for (String p : EDGE_PLACEMENTS) {
      steps.add(new Step("cal|" + p + "|late", calLink, calCpu, 0, CALIBRATION_SECONDS, 1, p));
    }
    String allEdge = EDGE_PLACEMENTS.get(EDGE_PLACEMENTS.size() - 1);
    // paced after EEEE's flat-out visit, as the latency steps are: a lone frame's walk on the edge
    steps.add(new Step(GridModel.PACED_EEEE, 0, 0, -20, PACED_SETTLE_SECONDS + PACED_CALIBRATION_SECONDS,
        PACED_SETTLE_SECONDS));
    for (int pass = 0; pass < THROTTLED_PASSES; pass++) {
      steps.add(new Step(GridModel.THROTTLED + "|" + allEdge + "|" + leastCpu + "|" + pass, calLink, leastCpu, 0,
          1 + CALIBRATION_SECONDS, 1, allEdge));
    }
    steps.add(new Step(GridModel.IDLE + "|late", calLink, calCpu, 1, IDLE_SECONDS, 1, "ESSS"));
    return steps;
  }

  /** A grid plan from the command's flags. */
  public static GridPlan plan(List<Integer> sides, List<Double> cpus, List<String> links, int repeats,
      String source) {
    if (repeats < 1) {
      throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
    }
    if (links != null) {
      links.forEach(BitRate::parse);
    }
    for (double c : cpus == null ? List.<Double>of() : cpus) {
      if (!(c > 0)) {
        throw new IllegalArgumentException("--grid-cpus: each quota must be > 0 cores, got " + c);
      }
    }
    GridPlan full = GridPlan.full(source);
    return new GridPlan(sides == null || sides.isEmpty() ? full.sides() : sides,
        cpus == null || cpus.isEmpty() ? full.edgeCpus() : cpus, links == null || links.isEmpty() ? full.links() : links,
        repeats, full.settleSeconds(), full.thrSeconds(), full.pacedSeconds(), source);
  }

  public static String describe(GridPlan g) {
    return String.format(Locale.ROOT, "%d size(s) x %d scenario(s) x %d repeat(s): about %.0f min (the full grid, "
        + "%s x cpu %s x links %s: about %.0f min)", g.sides().size(), g.scenarios(), g.repeats(),
        g.estimateSeconds() / 60, GridPlan.SIDES, GridPlan.CPUS, GridPlan.LINKS,
        GridPlan.full(g.source()).estimateSeconds() / 60);
  }
}
