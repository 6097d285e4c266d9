package io.edgepipe.experiments;

import io.edgepipe.harness.EmbeddedRun;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.runtime.LayerGroup;
import io.edgepipe.harness.RunResult;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * E3 (thesis tables 4.2/4.3, figures 4.5/4.8): throughput of streaming 1280x720 frames as fast
 * as the chain takes them, through the monolith and through pipelines of 2, 3 and 4 stages
 * (the producer counts as a stage, as in the thesis). The 2- and 3-stage pipelines are the
 * 4-stage one with consecutive layers fused into one service ({@link EmbeddedRun#fused}); every grouping
 * of the layers is run, so the 3-stage row comes in both splits.
 *
 * <p>Next to fps it records the CPU time the whole process spent per frame: on a machine with
 * few cores that, not the slowest stage, caps a pipeline ({@code cores x 1000 / cpu ms}).
 */
public final class ThroughputExperiment {
  static final String CSV = "e3_throughput.csv";

  /** Columns of {@link #CSV}, one row per variant (monolith, 2-, 3-, 4-stage). */
  public enum Column implements CsvColumn {
    VARIANT, STAGES, SERVICES, FRAMES, DELIVERED, FPS, CHANGE_VS_MONOLITH_PCT, CPU_MS_PER_FRAME, CPU_BOUND_FPS,
    SLOWEST_SERVICE, SLOWEST_SERVICE_MS, LAT_P50_MS, THESIS_SERVER_PCT, THESIS_EDGE_PCT
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

    String services() {
      if (groups == null) {
        return "producer+" + String.join("+", layers) + " (one process)";
      }
      List<String> names = new ArrayList<>(List.of("producer"));
      groups.forEach(g -> names.add(LayerGroup.name(g)));
      return String.join(" | ", names);
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
    return (long) variants(spec).size() * p.e3Frames();
  }

  public static void run(Suite s) {
    PipelineSpec spec = s.spec.withInput(HEIGHT, WIDTH);
    int cores = Runtime.getRuntime().availableProcessors();
    Table t = CsvColumn.table(Column.values());
    double monolithFps = Double.NaN;
    for (Variant v : variants(spec)) {
      s.task("E3 " + v.name() + " " + v.services());
      FrameLog log = new FrameLog();
      RunOptions o = s.options(spec, s.plan.e3Frames(), 0, 1);
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      RunResult r;
      if (v.groups() == null) {
        try (MonolithRun run = new MonolithRun(spec, s.device, log)) {
          r = run.run(o, s::step);
        }
      } else {
        try (EmbeddedRun run = EmbeddedRun.fused(spec, v.groups(), s.device, log)) {
          r = run.run(o, s::step);
        }
      }
      double cpuMs = (processCpuNanos() - cpu0) / 1e6;
      List<FrameLog.Entry> steady = log.after(s.plan.e3Warmup());
      double fps = FrameLog.steadyFps(steady);
      if (v.groups() == null) {
        monolithFps = fps;
      }
      String slowest = "-";
      double slowestMs = 0;
      for (Map.Entry<String, double[]> e : FrameLog.phaseMeans(steady).entrySet()) {
        double period = e.getValue()[1] + e.getValue()[2]; // process + send: a service blocks while it sends
        if (period > slowestMs) {
          slowestMs = period;
          slowest = e.getKey();
        }
      }
      double cpuPerFrame = cpuMs / Math.max(1, r.summary().delivered());
      boolean four = v.groups() != null && v.stages() == 4;
      double[] latency = steady.stream().mapToDouble(FrameLog.Entry::latencyMs).toArray();
      t.row(v.name(), v.stages(), v.services(), s.plan.e3Frames(), r.summary().delivered(), fps,
          v.groups() == null ? "-" : String.format(java.util.Locale.ROOT, "%+.1f", 100 * (fps / monolithFps - 1)),
          cpuPerFrame, cores * 1000 / cpuPerFrame, v.groups() == null ? "-" : slowest,
          v.groups() == null ? Double.NaN : slowestMs, FrameLog.percentile(latency, 50),
          four ? THESIS_SERVER_PCT : "-", four ? THESIS_EDGE_PCT : "-");
      s.note("e3_wall_s_" + v.name() + "_" + v.services().replace(" ", ""), (System.nanoTime() - wall0) / 1e9);
    }
    t.writeCsv(s.dir.resolve(CSV));
    s.note("cores", cores);
    s.say("");
    s.say("E3 throughput, " + s.plan.e3Frames() + " frames of " + WIDTH + "x" + HEIGHT + ", as fast as the chain takes them");
    t.print(s.console);
  }

  /** CPU time of this whole JVM (every service of the run lives in it). */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
