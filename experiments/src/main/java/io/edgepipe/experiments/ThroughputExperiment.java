package io.edgepipe.experiments;

import io.edgepipe.harness.EmbeddedRun;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.runtime.LayerGroup;
import io.edgepipe.harness.RunResult;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * E3 (thesis tables 4.2/4.3, figures 4.5/4.8): throughput of streaming 1280x720 frames as fast
 * as the chain takes them, through the monolith and through pipelines of 2, 3 and 4 stages
 * (the producer counts as a stage, as in the thesis). The 2- and 3-stage pipelines are the
 * 4-stage one with consecutive layers fused into one service ({@link EmbeddedRun#fused}); every grouping
 * of the layers is run, so the 3-stage row comes in both splits.
 *
 * <p>Next to fps it records the CPU time the whole process spent per frame: on a machine with
 * few cores that, not the slowest stage, caps a pipeline ({@code cores x 1000 / cpu ms}).
 *
 * <p>A variant's rate moves by 10-20% from one run to the next on a shared 2-core machine, as much
 * as the pipelines differ from the monolith, so every variant is run {@link SuitePlan#e3Rounds}
 * times, in rounds (every other round in reverse order, so that no variant always runs first or
 * in a JVM warmer than the others'). A change against the monolith is taken within a round (a
 * ratio from one run) and {@link #CSV} gives each variant's median over the rounds and the range;
 * every round is in {@link #ROUNDS_CSV}.
 */
public final class ThroughputExperiment {
  static final String CSV = "e3_throughput.csv";
  static final String ROUNDS_CSV = "e3_rounds.csv";

  /**
   * Columns of {@link #CSV}, one row per variant (monolith, 2-, 3-, 4-stage): medians over the
   * rounds; the slowest service is the one of the round with the median rate.
   */
  public enum Column implements CsvColumn {
    VARIANT, STAGES, SERVICES, FRAMES, DELIVERED, FPS, CHANGE_VS_MONOLITH_PCT, CPU_MS_PER_FRAME, CPU_BOUND_FPS,
    SLOWEST_SERVICE, SLOWEST_SERVICE_MS, LAT_P50_MS, THESIS_SERVER_PCT, THESIS_EDGE_PCT,
    ROUNDS, FPS_MIN, FPS_MAX, CHANGE_MIN_PCT, CHANGE_MAX_PCT
  }

  /** Columns of {@link #ROUNDS_CSV}, one row per variant and round, in the order they ran. */
  public enum RoundColumn implements CsvColumn {
    ROUND, VARIANT, SERVICES, FPS, CHANGE_VS_MONOLITH_PCT, CPU_MS_PER_FRAME, LAT_P50_MS, WALL_S
  }

  static final int WIDTH = 1280;
  static final int HEIGHT = 720;
  /** Thesis, 4 microservices vs the monolith, 1000 frames of 720p. */
  static final double THESIS_SERVER_PCT = 76.58;
  static final double THESIS_EDGE_PCT = 103.94;

  /** One way to run the chain: groups == null is the monolith. */
  record Variant(String name, List<String> layers, List<List<String>> groups) {
    int stages() {
      return groups == null ? 1 : groups.size() + 1;
    }

    boolean monolith() {
      return groups == null;
    }

    String services() {
      if (groups == null) {
        return "producer+" + String.join("+", layers) + " (one process)";
      }
      List<String> names = new ArrayList<>(List.of("producer"));
      groups.forEach(g -> names.add(LayerGroup.name(g)));
      return String.join(" | ", names);
    }
  }

  /** What one run of a variant measured; {@code changePct} is against the monolith of the same round. */
  record Measured(double fps, double changePct, double cpuMsPerFrame, long delivered, String slowest,
      double slowestMs, double latP50Ms, double wallS) {
    Measured withChange(double pct) {
      return new Measured(fps, pct, cpuMsPerFrame, delivered, slowest, slowestMs, latP50Ms, wallS);
    }
  }

  private ThroughputExperiment() {}

  /** The monolith, then every grouping of the spec's layers into consecutive services, fewest services first. */
  static List<Variant> variants(PipelineSpec spec) {
    List<String> layers = spec.layers().stream().map(LayerSpec::name).toList();
    List<Variant> out = new ArrayList<>();
    out.add(new Variant("monolith", layers, null));
    int n = layers.size();
    List<List<List<String>>> all = new ArrayList<>();
    for (int mask = 0; mask < (1 << (n - 1)); mask++) { // bit i set = cut after layer i
      List<List<String>> groups = new ArrayList<>();
      List<String> current = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        current.add(layers.get(i));
        if (i == n - 1 || (mask & (1 << i)) != 0) {
          groups.add(List.copyOf(current));
          current.clear();
        }
      }
      all.add(groups);
    }
    all.sort((a, b) -> Integer.compare(a.size(), b.size()));
    if (all.size() > 8) { // long chains: one service, and one per layer
      all = List.of(all.get(0), all.get(all.size() - 1));
    }
    for (List<List<String>> groups : all) {
      out.add(new Variant((groups.size() + 1) + "-stage", layers, groups));
    }
    return out;
  }

  public static long plannedFrames(SuitePlan p, PipelineSpec spec) {
    return (long) variants(spec).size() * p.e3Frames() * p.e3Rounds();
  }

  public static void run(Suite s) {
    PipelineSpec spec = s.spec.withInput(HEIGHT, WIDTH);
    List<Variant> variants = variants(spec);
    Map<Variant, List<Measured>> measured = new LinkedHashMap<>();
    variants.forEach(v -> measured.put(v, new ArrayList<>()));
    Table rounds = CsvColumn.table(RoundColumn.values());
    for (int round = 1; round <= s.plan.e3Rounds(); round++) {
      List<Variant> order = new ArrayList<>(variants);
      if (round % 2 == 0) {
        Collections.reverse(order);
      }
      Map<Variant, Measured> thisRound = new LinkedHashMap<>();
      for (Variant v : order) {
        s.task("E3 round " + round + "/" + s.plan.e3Rounds() + " " + v.name() + " " + v.services());
        thisRound.put(v, measure(s, spec, v));
      }
      double monolithFps = thisRound.get(variants.get(0)).fps();
      for (Variant v : order) {
        Measured run = thisRound.get(v);
        Measured m = run.withChange(v.monolith() ? Double.NaN : 100 * (run.fps() / monolithFps - 1));
        measured.get(v).add(m);
        rounds.row(round, v.name(), v.services(), m.fps(), v.monolith() ? "-" : pct(m.changePct()),
            m.cpuMsPerFrame(), m.latP50Ms(), m.wallS());
      }
    }
    rounds.writeCsv(s.dir.resolve(ROUNDS_CSV));
    Table t = summary(variants, measured, s.plan.e3Frames());
    t.writeCsv(s.dir.resolve(CSV));
    int cores = Runtime.getRuntime().availableProcessors();
    s.note("cores", cores);
    s.say("");
    s.say("E3 throughput, " + s.plan.e3Frames() + " frames of " + WIDTH + "x" + HEIGHT
        + ", as fast as the chain takes them; median of " + s.plan.e3Rounds() + " round(s), range in the last columns");
    t.print(s.console);
  }

  /** One run of {@code v}: its steady rate, the CPU this JVM spent per frame, its slowest service. */
  private static Measured measure(Suite s, PipelineSpec spec, Variant v) {
    FrameLog log = new FrameLog();
    RunOptions o = s.options(spec, s.plan.e3Frames(), 0, 1);
    long cpu0 = processCpuNanos();
    long wall0 = System.nanoTime();
    RunResult r;
    if (v.monolith()) {
      try (MonolithRun run = new MonolithRun(spec, s.device, log)) {
        r = run.run(o, s::step);
      }
    } else {
      try (EmbeddedRun run = EmbeddedRun.fused(spec, v.groups(), s.device, log)) {
        r = run.run(o, s::step);
      }
    }
    double cpuMs = (processCpuNanos() - cpu0) / 1e6;
    double wallS = (System.nanoTime() - wall0) / 1e9;
    List<FrameLog.Entry> steady = log.after(s.plan.e3Warmup());
    String slowest = "-";
    double slowestMs = v.monolith() ? Double.NaN : 0;
    if (!v.monolith()) {
      for (Map.Entry<String, double[]> e : FrameLog.phaseMeans(steady).entrySet()) {
        double period = e.getValue()[1] + e.getValue()[2]; // process + send: a service blocks while it sends
        if (period > slowestMs) {
          slowestMs = period;
          slowest = e.getKey();
        }
      }
    }
    long delivered = r.summary().delivered();
    double[] latency = steady.stream().mapToDouble(FrameLog.Entry::latencyMs).toArray();
    return new Measured(FrameLog.steadyFps(steady), Double.NaN, cpuMs / Math.max(1, delivered), delivered, slowest,
        slowestMs, FrameLog.percentile(latency, 50), wallS);
  }

  /** A row per variant: medians over its rounds, the range of its rate and of its change. */
  static Table summary(List<Variant> variants, Map<Variant, List<Measured>> measured, long frames) {
    int cores = Runtime.getRuntime().availableProcessors();
    Table t = CsvColumn.table(Column.values());
    for (Variant v : variants) {
      List<Measured> runs = measured.get(v);
      Spread fps = spread(runs, Measured::fps);
      Spread change = spread(runs, Measured::changePct);
      double cpuPerFrame = spread(runs, Measured::cpuMsPerFrame).median();
      // the slowest service of the round whose rate is nearest the median (with an even count, none is it)
      Measured typical = runs.stream().min(Comparator.comparingDouble(m -> Math.abs(m.fps() - fps.median())))
          .orElseThrow();
      boolean four = v.stages() == 4 && !v.monolith();
      t.row(v.name(), v.stages(), v.services(), frames, typical.delivered(), fps.median(),
          v.monolith() ? "-" : pct(change.median()), cpuPerFrame, cores * 1000 / cpuPerFrame,
          typical.slowest(), typical.slowestMs(), spread(runs, Measured::latP50Ms).median(),
          four ? THESIS_SERVER_PCT : "-", four ? THESIS_EDGE_PCT : "-", runs.size(), fps.min(), fps.max(),
          v.monolith() ? "-" : pct(change.min()), v.monolith() ? "-" : pct(change.max()));
    }
    return t;
  }

  private static Spread spread(List<Measured> runs, ToDoubleFunction<Measured> value) {
    return Spread.of(runs.stream().mapToDouble(value).toArray());
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%+.1f", v);
  }

  /** CPU time of this whole JVM (every service of the run lives in it). */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
