package io.edgepipe.cli.bench;

import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.EmbeddedRun;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.harness.ProcessRun;
import io.edgepipe.harness.ThreadCpu;
import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.cli.run.Progress;
import io.edgepipe.cli.run.RunFlags;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import io.edgepipe.producer.PhaseRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pipeline bench pipeline}: the same frames through the gRPC pipeline and the monolith in
 * one run, repeated: fps, CPU per frame and p50 latency of each, the pipeline at full speed and
 * paced at a fraction of that speed, optionally with one process per stage. Also reports the
 * pipeline against its ideal: the rate its slowest stage's compute time allows.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = {"Stream frames through the 4-stage pipeline and through the monolith in one run, and compare them.",
        "Each round runs both, repeated: fps, CPU per frame and p50 latency of each (full speed and paced), the "
            + "ratios, and the pipeline's efficiency against its slowest stage."})
public final class PipelineBenchCommand implements Callable<Integer> {
  @Mixin
  RunFlags flags;

  @Mixin
  OutputFolder out;

  @Option(names = "--repeat", defaultValue = "3", description = "Rounds of every mode (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--processes", description = "Also run the chain with one JVM per stage (shared-memory hops).")
  boolean processes;

  @Option(names = "--thread-cpu", description = "With --processes: also split each process's CPU per frame by thread group "
      + "(event loops, compute, kernel helpers, GC, JIT) with each group's wake-ups per frame (Linux).")
  boolean threadCpu;

  @Option(names = "--compare-env", paramLabel = "NAME=VALUE",
      description = {"With --processes: each round also runs the stage processes with this environment variable (the "
          + "option repeats for more) as mode 'processes B', A and B taking turns to go first, to compare a setting "
          + "side by side in one run, e.g. "
          + "EDGEPIPE_KERNEL_THREADS=1, or a -D switch as JAVA_TOOL_OPTIONS=-Dname=value (which reaches this JVM's "
          + "children only)."})
  Map<String, String> compareEnv = new LinkedHashMap<>();

  @Option(names = "--paced", defaultValue = "0.8", description = "Also run each chain paced at this fraction of its full speed in the same round, for latency (0 = skip; default: ${DEFAULT-VALUE}).")
  double pacedFraction;

  /**
   * One timed run: what the sink saw and the CPU time every process of the run spent; with
   * {@code --processes}, also by process (this JVM's producer and sink first, then each stage).
   */
  private record Timed(RunResult result, long cpuNanos, long[] cpuByProcess,
      List<Map<String, ThreadCpu.Usage>> threads) {
    Timed(RunResult result, long cpuNanos) {
      this(result, cpuNanos, null, List.of());
    }

    double fps() {
      return result.summary().fps();
    }

    double cpuMsPerFrame() {
      return cpuNanos / 1e6 / Math.max(1, result.sent());
    }

    double p50() {
      return result.summary().latencyP50Ms();
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  @Override
  public Integer call() {
    if (repeat < 1 || pacedFraction < 0 || pacedFraction >= 1) {
      throw new IllegalArgumentException("--repeat must be at least 1 and --paced in [0, 1)");
    }
    RunOptions o = flags.requireFrameCount("bench pipeline").options(null, "npy");
    if (processes && o.specFile() == null) {
      throw new IllegalArgumentException("--processes needs --spec FILE");
    }
    warmUp(o);
    Map<String, List<Timed>> byMode = new LinkedHashMap<>();
    RunResult lastPipeline = null;
    for (int round = 1; round <= repeat; round++) {
      System.err.printf("round %d of %d%n", round, repeat);
      Timed embedded = timed("embedded", o, this::embedded);
      lastPipeline = embedded.result();
      add(byMode, "embedded", embedded);
      add(byMode, "monolith", timed("monolith", o, this::monolith));
      if (pacedFraction > 0) {
        add(byMode, "embedded paced", timed("embedded paced", paced(o, embedded.fps()), this::embedded));
      }
      if (processes) {
        // with --compare-env, A and B take turns going first, so neither always meets the other's leftovers
        List<String> variants = compareEnv.isEmpty() ? List.of("processes")
            : round % 2 == 1 ? List.of("processes", "processes B") : List.of("processes B", "processes");
        for (String mode : variants) {
          Map<String, String> env = mode.endsWith(" B") ? compareEnv : Map.of();
          Timed proc = timed(mode, o, x -> processes(x, env));
          add(byMode, mode, proc);
          if (pacedFraction > 0) {
            add(byMode, mode + " paced", timed(mode + " paced", paced(o, proc.fps()), x -> processes(x, env)));
          }
        }
      }
    }
    print(o, byMode, lastPipeline);
    return 0;
  }

  private void warmUp(RunOptions o) {
    timed("warm-up embedded", warmUpFrames(o), this::embedded);
    timed("warm-up monolith", warmUpFrames(o), this::monolith);
  }

  /** The warm-up every mode gets before it is timed: the first 100 frames (at most) at full speed. */
  private static RunOptions warmUpFrames(RunOptions o) {
    return batch(o, 100);
  }

  /** The first {@code frames} (at most) of {@code o}'s frames, at full speed, nothing saved. */
  private static RunOptions batch(RunOptions o, long frames) {
    return new RunOptions(o.spec(), o.specFile(), o.source(), Math.min(frames, o.frames()), 0, o.flows(),
        o.device(), o.seed(), null, "npy");
  }

  private RunOptions paced(RunOptions o, double fullSpeedFps) {
    return new RunOptions(o.spec(), o.specFile(), o.source(), o.frames(), pacedFraction * fullSpeedFps / o.flows(),
        o.flows(), o.device(), o.seed(), null, "npy");
  }

  private static void add(Map<String, List<Timed>> byMode, String mode, Timed t) {
    byMode.computeIfAbsent(mode, m -> new ArrayList<>()).add(t);
  }

  private Timed timed(String label, RunOptions o, Function<RunOptions, Timed> mode) {
    try (ProgressBar bar = Progress.bar(label, o.frames() * o.flows(), false)) {
      this.progress = bar::step;
      return mode.apply(o);
    }
  }

  private Runnable progress = () -> {};

  private Timed embedded(RunOptions o) {
    long cpu0 = processCpuNanos();
    try (EmbeddedRun run = new EmbeddedRun(o.spec(), o.device(), null)) {
      RunResult r = run.run(o, progress);
      return new Timed(r, processCpuNanos() - cpu0);
    }
  }

  private Timed monolith(RunOptions o) {
    long cpu0 = processCpuNanos();
    try (MonolithRun run = new MonolithRun(o.spec(), o.device(), null)) {
      RunResult r = run.run(o, progress);
      return new Timed(r, processCpuNanos() - cpu0);
    }
  }

  /** Most warm-up batches a fresh chain of stage processes gets before it is timed. */
  private static final int MAX_PROCESS_WARM_UP_BATCHES = 16;
  /**
   * Frames of one warm-up batch of fresh stage processes. Batches of 100 frames looked settled
   * (within 10% of the batch before) while each stage's C2 threads still took a quarter of its
   * CPU: on the 2-core machine at load 20 a stage JVM compiled for a minute, thousands of frames,
   * and the timed run measured that against a monolith whose JVM had long finished compiling.
   * Larger batches follow the compiler's slower tail, so the figures are the stages' steady state.
   */
  private static final int PROCESS_WARM_UP_BATCH = 500;

  /**
   * Fresh stage processes each time, warmed in batches of {@value #PROCESS_WARM_UP_BATCH} frames until
   * their JIT compilers are done with the hot paths (the monolith's JVM stays warm across rounds;
   * each stage JVM here starts cold and compiles for thousands of frames), then timed.
   */
  private Timed processes(RunOptions o, Map<String, String> environment) {
    try (ProcessRun run = new ProcessRun(o.spec(), o.specFile(), o.device(), null, out.root().resolve("logs"),
        o.spec().delivery(), null, environment)) {
      List<ProcessRun.WarmUpBatch> warm =
          run.warmUpUntilSettled(batch(o, PROCESS_WARM_UP_BATCH), MAX_PROCESS_WARM_UP_BATCHES, () -> {});
      System.err.printf(java.util.Locale.ROOT, "stage warm-up: CPU ms per frame of each batch %s, JIT share %s%n",
          warm.stream().map(w -> String.format(java.util.Locale.ROOT, "%.2f", w.stageCpuMsPerFrame())).toList(),
          warm.stream().map(w -> String.format(java.util.Locale.ROOT, "%.0f%%", 100 * w.jitShare())).toList());
      long cpu0 = processCpuNanos();
      RunResult r = run.run(o, progress);
      // this JVM (producer and sink) plus every stage process, both over the timed frames only
      long here = processCpuNanos() - cpu0;
      long[] stages = run.stageCpuNanosByStage();
      long[] byProcess = new long[stages.length + 1];
      byProcess[0] = here;
      System.arraycopy(stages, 0, byProcess, 1, stages.length);
      return new Timed(r, here + run.stageCpuNanos(), byProcess, run.threadUsage());
    }
  }

  private void print(RunOptions o, Map<String, List<Timed>> byMode, RunResult lastPipeline) {
    Table modes = new Table("mode", "fps", "cpu_ms_per_frame", "p50_ms", "p95_ms", "lost");
    Table runs = new Table("mode", "round", "frames", "fps", "cpu_ms_per_frame", "p50_ms", "p95_ms", "delivered", "lost");
    for (Map.Entry<String, List<Timed>> e : byMode.entrySet()) {
      List<Timed> ts = e.getValue();
      modes.row(e.getKey(), spread(ts, Timed::fps).text("%.1f"), spread(ts, Timed::cpuMsPerFrame).text("%.2f"),
          spread(ts, Timed::p50).text("%.1f"), spread(ts, t -> t.result().summary().latencyP95Ms()).text("%.1f"),
          ts.stream().mapToLong(t -> t.result().lost()).sum());
      for (int i = 0; i < ts.size(); i++) {
        Timed t = ts.get(i);
        runs.row(e.getKey(), i + 1, t.result().sent(), t.fps(), t.cpuMsPerFrame(), t.p50(),
            t.result().summary().latencyP95Ms(), t.result().summary().delivered(), t.result().lost());
      }
    }
    System.out.println("\nmedian (min-max) of " + repeat + " rounds, " + o.frames() * o.flows() + " frames of "
        + o.spec().input() + " each; " + Runtime.getRuntime().availableProcessors() + " cores");
    modes.print(System.out);

    Table ratios = new Table("ratio", "value");
    ratio(ratios, byMode, "embedded", "monolith", "pipeline/monolith fps (embedded)", Timed::fps);
    ratio(ratios, byMode, "processes", "monolith", "pipeline/monolith fps (--processes)", Timed::fps);
    ratio(ratios, byMode, "embedded", "monolith", "pipeline/monolith CPU per frame (embedded)", Timed::cpuMsPerFrame);
    ratio(ratios, byMode, "processes", "monolith", "pipeline/monolith CPU per frame (--processes)", Timed::cpuMsPerFrame);
    ratio(ratios, byMode, "embedded", "embedded paced", "p50 full speed / p50 paced (embedded)", Timed::p50);
    ratio(ratios, byMode, "processes", "processes paced", "p50 full speed / p50 paced (--processes)", Timed::p50);
    if (byMode.containsKey("processes B")) {
      ratio(ratios, byMode, "processes B", "monolith", "pipeline/monolith fps (--processes B)", Timed::fps);
      ratio(ratios, byMode, "processes B", "monolith", "pipeline/monolith CPU per frame (--processes B)",
          Timed::cpuMsPerFrame);
      ratio(ratios, byMode, "processes B", "processes B paced", "p50 full speed / p50 paced (--processes B)",
          Timed::p50);
      ratio(ratios, byMode, "processes B", "processes", "B/A CPU per frame (--processes)", Timed::cpuMsPerFrame);
      ratio(ratios, byMode, "processes B paced", "processes paced", "B/A CPU per frame (--processes paced)",
          Timed::cpuMsPerFrame);
    }
    System.out.println();
    ratios.print(System.out);

    Table byProcess = cpuByProcess(o, byMode);
    if (byProcess != null) {
      System.out.println();
      byProcess.print(System.out);
    }

    Table threads = threadCpu ? threadsByProcess(o, byMode) : null;
    if (threads != null) {
      System.out.println();
      threads.print(System.out);
    }

    System.out.println();
    RunReport.phases(lastPipeline).print(System.out);
    double slowest = 0;
    String slowestStage = "";
    for (PhaseRow p : lastPipeline.summary().phases()) {
      if (!p.stage().equals("sink") && p.processMs() > slowest) {
        slowest = p.processMs();
        slowestStage = p.stage();
      }
    }
    System.out.printf("%nslowest stage %s: %.2f ms per frame, so at most %.0f fps if each stage had its own core%n",
        slowestStage, slowest, 1000.0 / slowest);

    Path csv = ResultFiles.csv(out.folder("bench"), "pipeline-" + o.spec().name());
    modes.writeCsv(csv);
    ratios.writeCsv(Path.of(csv.toString().replace(".csv", "-ratios.csv")));
    runs.writeCsv(Path.of(csv.toString().replace(".csv", "-runs.csv")));
    if (byProcess != null) {
      byProcess.writeCsv(Path.of(csv.toString().replace(".csv", "-cpu-by-process.csv")));
    }
    if (threads != null) {
      threads.writeCsv(Path.of(csv.toString().replace(".csv", "-cpu-by-thread.csv")));
    }
    System.out.println("\nwrote " + csv);
  }

  /** The modes with stage processes, in the order their tables list them. */
  private static final List<String> PROCESS_MODES =
      List.of("processes", "processes B", "processes paced", "processes B paced");

  /** The {@code p}th process of a --processes run: this JVM's producer and sink, then each stage in chain order. */
  private static String processName(RunOptions o, int p) {
    return p == 0 ? "producer+sink" : o.spec().layers().get(p - 1).name();
  }

  /** CPU ms per frame of each process of the --processes runs, median (min-max) over rounds; null without them. */
  private static Table cpuByProcess(RunOptions o, Map<String, List<Timed>> byMode) {
    if (!byMode.containsKey("processes")) {
      return null;
    }
    Table t = new Table("mode", "process", "cpu_ms_per_frame");
    for (String mode : PROCESS_MODES) {
      List<Timed> ts = byMode.get(mode);
      if (ts == null) {
        continue;
      }
      for (int p = 0; p < ts.get(0).cpuByProcess().length; p++) {
        final int i = p;
        String name = processName(o, p);
        t.row(mode, name, spread(ts, x -> x.cpuByProcess()[i] / 1e6 / Math.max(1, x.result().sent())).text("%.2f"));
      }
    }
    return t;
  }

  /**
   * Per process of the --processes runs and per group of its threads, CPU ms, times run and times
   * blocked, each per frame, median (min-max) over rounds; groups under 0.01 ms per frame in every
   * round are left out. Null without --processes runs.
   */
  private static Table threadsByProcess(RunOptions o, Map<String, List<Timed>> byMode) {
    if (!byMode.containsKey("processes")) {
      return null;
    }
    Table t = new Table("mode", "process", "threads", "cpu_ms_per_frame", "runs_per_frame", "blocks_per_frame");
    for (String mode : PROCESS_MODES) {
      List<Timed> ts = byMode.get(mode);
      if (ts == null || ts.get(0).threads().isEmpty()) {
        continue;
      }
      for (int p = 0; p < ts.get(0).threads().size(); p++) {
        final int i = p;
        String name = processName(o, p);
        java.util.SortedSet<String> groups = new java.util.TreeSet<>();
        ts.forEach(x -> groups.addAll(x.threads().get(i).keySet()));
        for (String g : groups) {
          java.util.function.Function<Timed, ThreadCpu.Usage> u =
              x -> x.threads().get(i).getOrDefault(g, new ThreadCpu.Usage(0, 0, 0));
          Spread cpu = spread(ts, x -> u.apply(x).cpuNanos() / 1e6 / Math.max(1, x.result().sent()));
          if (cpu.max() < 0.01) {
            continue;
          }
          t.row(mode, name, g, cpu.text("%.2f"),
              spread(ts, x -> (double) u.apply(x).runs() / Math.max(1, x.result().sent())).text("%.1f"),
              spread(ts, x -> (double) u.apply(x).waits() / Math.max(1, x.result().sent())).text("%.1f"));
        }
      }
    }
    return t;
  }

  /** Per round, a/b of the two modes' figures; median (min-max) over rounds. */
  private static void ratio(Table t, Map<String, List<Timed>> byMode, String a, String b, String label,
      java.util.function.ToDoubleFunction<Timed> f) {
    List<Timed> as = byMode.get(a);
    List<Timed> bs = byMode.get(b);
    if (as == null || bs == null) {
      return;
    }
    double[] r = new double[Math.min(as.size(), bs.size())];
    for (int i = 0; i < r.length; i++) {
      r[i] = f.applyAsDouble(as.get(i)) / f.applyAsDouble(bs.get(i));
    }
    t.row(label, Spread.of(r).text("%.2f"));
  }

  private static Spread spread(List<Timed> ts, java.util.function.ToDoubleFunction<Timed> f) {
    return Spread.of(ts.stream().mapToDouble(f).toArray());
  }
}
