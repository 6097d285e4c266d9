package io.edgepipe.cli.bench.experiments;

import io.edgepipe.experiments.FlowCapacityExperiment;
import io.edgepipe.experiments.LatencyExperiment;
import io.edgepipe.experiments.MetaFile;
import io.edgepipe.experiments.PlacementExperiment;
import io.edgepipe.experiments.ProfileMeasurer;
import io.edgepipe.experiments.ReportWriter;
import io.edgepipe.experiments.Suite;
import io.edgepipe.experiments.SuitePlan;
import io.edgepipe.experiments.SustainedCompute;
import io.edgepipe.experiments.TestbedDrivers;
import io.edgepipe.experiments.ThroughputExperiment;
import io.edgepipe.experiments.Warmup;

import io.edgepipe.launcher.options.DeviceOption;
import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.launcher.options.SpecOption;
import picocli.CommandLine.Mixin;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.cli.run.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline bench experiments}: the thesis's experiments (and the dual-plane work's flow
 * capacity) in one go, written to {@code <out>/<yyyy-MM-dd>-experiments/}: a CSV per
 * experiment, PNG charts and report.md.
 */
@Command(name = "experiments", mixinStandardHelpOptions = true,
    description = {"Run the experiment suite and write CSV, PNG charts and report.md under <out>/<date>-experiments/.",
        "E1 latency monolith vs microservices, E2 CCR per size, E3 throughput of 2/3/4-stage pipelines, "
            + "E4 placements on the testbed, E5 planner predictions vs measurements, E6 flow capacity at 30 fps, "
            + "E7 live re-placement as the link and the edge's CPU change (testbed)."})
public final class ExperimentsCommand implements Callable<Integer> {
  @Mixin
  SpecOption specOption;

  @Mixin
  DeviceOption deviceOption;

  @Mixin
  OutputFolder out;

  @Option(names = "--testbed", description = "Run E4/E5 (and E6) on the emulated edge/server testbed (needs root).")
  boolean testbed;

  @Option(names = "--quick", description = "Fewer frames everywhere (about 2-3 minutes without --testbed).")
  boolean quick;

  @Option(names = "--name", description = "Folder name under --out (default: <yyyy-MM-dd>-experiments[-quick]).")
  String name;

  @Option(names = "--only", split = ",", paramLabel = "E1,...",
      description = "Run only these experiments (E1 and E2 share runs, so do E4 and E5); the report covers what the folder holds.")
  List<String> only;

  @Option(names = "--edge-cpu", defaultValue = "0.5", description = "Edge CPU cap in cores on the testbed (default: ${DEFAULT-VALUE}).")
  double edgeCpu;

  @Option(names = "--e6-placement", defaultValue = "ESSS", description = "Placement of E6 on the testbed (default: ${DEFAULT-VALUE}).")
  String e6Placement;

  @Option(names = "--sizes", split = ",", paramLabel = "SIDE",
      description = "Square frame sides of E1/E2 and E4/E5 (default: 128,256,512,1024).")
  List<Integer> sizes;

  @Option(names = "--bandwidths", split = ",", paramLabel = "RATE",
      description = "Link rates of E4/E5, one testbed each (default: 1gbit,100mbit).")
  List<String> bandwidths;

  @Option(names = "--grid", description = "E4/E5 as a grid on the testbed: every edge CPU quota (--grid-cpus) x link "
      + "(--bandwidths, default 10mbit,100mbit,1gbit) x size (--sizes, default 256,512), every placement, --repeats "
      + "times; prints the estimated wall time first.")
  boolean grid;

  @Option(names = "--grid-cpus", split = ",", paramLabel = "CORES",
      description = "Edge CPU quotas of the grid (default: 0.25,0.5,2).")
  List<Double> gridCpus;

  @Option(names = "--repeats", defaultValue = "3", description = "Repeats of every grid point (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--grid-source", defaultValue = "video:data/photos/vtest.avi", paramLabel = "SOURCE",
      description = "Frames of the grid (default: ${DEFAULT-VALUE}, after scripts/fetch-models.sh).")
  String gridSource;

  @Option(names = "--codec-size", defaultValue = "512", paramLabel = "SIDE",
      description = "Square frame side of the link-codec runs (--only codecs; default: ${DEFAULT-VALUE}).")
  int codecSize;

  @Option(names = "--e7-size", defaultValue = "256", paramLabel = "SIDE",
      description = "Square frame side of E7 (default: ${DEFAULT-VALUE}).")
  int e7Size;

  @Option(names = "--prefix", defaultValue = io.edgepipe.experiments.TestbedDrivers.DEFAULT_PREFIX,
      description = "Name prefix of the suite's testbed (namespaces, link, cgroups); another prefix leaves a testbed "
          + "of the default one alone (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--report-only", paramLabel = "DIR", description = "Only rebuild report.md and the charts from the CSV files in DIR.")
  Path reportOnly;

  @Option(names = "--replay-grid", paramLabel = "DIR", description = "Recompute a kept E4/E5 grid run's predictions "
      + "(both models) from its e5_grid_inputs.csv, without the testbed: writes DIR/replay/ and prints the counts.")
  Path replayGrid;

  @Option(names = "--node-compute", hidden = true, paramLabel = "TIER",
      description = "Internal (run inside a testbed node): measure sustained compute for TIER and write --profile-out.")
  String nodeCompute;

  @Option(names = "--profile-out", hidden = true, paramLabel = "FILE")
  Path profileOut;

  @Override
  public Integer call() throws Exception {
    if (nodeCompute != null) {
      return nodeCompute();
    }
    if (replayGrid != null) {
      System.out.println("wrote " + io.edgepipe.experiments.GridReplay.replay(replayGrid, System.out));
      return 0;
    }
    if (reportOnly != null) {
      List<Path> files = new ReportWriter(reportOnly).write();
      System.out.println("wrote " + files.size() + " files, " + reportOnly.resolve(ReportWriter.REPORT));
      return 0;
    }
    SuitePlan plan = quick ? SuitePlan.quickPlan() : SuitePlan.fullPlan();
    if (sizes != null && !sizes.isEmpty()) {
      plan = plan.withSizes(sizes);
    }
    if (bandwidths != null && !bandwidths.isEmpty()) {
      bandwidths.forEach(io.edgepipe.harness.measure.BitRate::parse); // refuse a bad rate before anything runs
      plan = plan.withBandwidths(bandwidths);
    }
    new io.edgepipe.testbed.Names(prefix); // refuse a bad prefix before anything runs
    if (!grid && gridCpus != null) {
      throw new IllegalArgumentException("--grid-cpus and --repeats shape the E4/E5 grid: give --grid too");
    }
    Set<String> run = selected();
    io.edgepipe.experiments.GridExperiment.GridPlan gridPlan = null;
    if (grid || run.contains("CODECS")) {
      String src = gridSource.startsWith("video:") && !Files.isRegularFile(Path.of(gridSource.substring(6)))
          ? null : gridSource;
      if (src == null) {
        throw new IllegalArgumentException("--grid-source " + gridSource + ": no such file (run scripts/fetch-models.sh, "
            + "or give --grid-source synthetic)");
      }
      if (grid) {
        gridPlan = io.edgepipe.experiments.GridExperiment.plan(sizes, gridCpus, bandwidths, repeats, src);
        System.out.println("E4/E5 grid: " + io.edgepipe.experiments.GridExperiment.describe(gridPlan));
      }
    }
    PipelineSpec spec = specOption.load();
    Path dir = out.root().resolve(name != null ? name
        : LocalDate.now().format(DateTimeFormatter.ISO_LOCAL_DATE) + "-experiments" + (quick ? "-quick" : ""));
    Files.createDirectories(dir);
    // process logs of testbed runs go where the repository ignores them (results/logs/), not beside the results
    Path logs = out.root().resolve("logs").resolve(dir.getFileName().toString());
    TestbedDrivers.Availability tb = TestbedDrivers.find(testbed, logs.resolve("testbed"), io.edgepipe.cli.Main.class.getName(),
        prefix);
    if (testbed && !tb.available()) {
      System.err.println("warning: --testbed given but no testbed: " + tb.reason() + "; E4 is skipped");
    }
    Suite s = new Suite(plan, spec, specOption.file(), deviceOption.value(), dir, logs, System.out, tb, edgeCpu);
    s.note("date", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16));
    s.note("spec", specOption.file() + " (" + spec.name() + ")");
    s.note("plan", quick ? "quick" : "full");
    s.note("device", deviceOption.value());
    s.note("cores", Runtime.getRuntime().availableProcessors());
    s.note("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    s.note("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    s.note("testbed", tb.available() ? "yes" : "no: " + tb.reason());
    s.note("commit", gitCommit());
    s.note("loadavg_start", loadAverage());
    s.note("experiments", String.join(" ", run));

    long planned = 0;
    planned += run.contains("E1") ? LatencyExperiment.plannedFrames(plan) + Warmup.FRAMES : 0;
    planned += run.contains("E3") ? ThroughputExperiment.plannedFrames(plan, spec) : 0;
    planned += run.contains("E5") ? PlacementExperiment.plannedFrames(plan, spec, tb.available()) : 0;
    planned += run.contains("E6") ? FlowCapacityExperiment.plannedFrames(plan) : 0;
    long start = System.nanoTime();
    List<String> failed = new ArrayList<>();
    // Ctrl-C: the testbed runner kills its children; this removes the namespaces, link and cgroups
    Thread undo = tb.driver() == null ? null : new Thread(() -> tb.driver().down(), "experiments-testbed-down");
    if (undo != null) {
      Runtime.getRuntime().addShutdownHook(undo);
    }
    try (ProgressBar bar = Progress.bar("experiments", planned, false)) {
      s.bar(bar);
      if (run.contains("E1")) {
        attempt(s, "E1", failed, () -> {
          Warmup.run(s);
          LatencyExperiment.run(s);
        });
      }
      if (run.contains("E3")) {
        attempt(s, "E3", failed, () -> ThroughputExperiment.run(s));
      }
      if (run.contains("E5") && grid) {
        io.edgepipe.experiments.GridExperiment.GridPlan g = gridPlan;
        attempt(s, "E4", failed, () -> io.edgepipe.experiments.GridExperiment.run(s, g));
      } else if (run.contains("E5")) {
        attempt(s, "E4", failed, () -> PlacementExperiment.run(s, edgeCpu));
      }
      if (run.contains("E6")) {
        attempt(s, "E6", failed, () -> FlowCapacityExperiment.run(s, e6Placement));
      }
      if (run.contains("CODECS")) {
        attempt(s, "CODECS", failed, () -> io.edgepipe.experiments.LinkCodecExperiment.run(s, codecSize, "100mbit",
            gridSource, Math.max(2, repeats)));
      }
      if (run.contains("E7")) {
        attempt(s, "E7", failed, () -> io.edgepipe.experiments.AdaptiveExperiment.run(s, e7Size));
      }
      bar.stepTo(bar.getMax());
    } finally {
      if (tb.driver() != null) {
        tb.driver().down();
        try {
          Runtime.getRuntime().removeShutdownHook(undo);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs now
        }
      }
    }
    s.note("suite_minutes", (System.nanoTime() - start) / 6e10);
    s.note("loadavg_end", loadAverage());
    MetaFile.merge(dir, MetaFile.withRunRow(s.meta(), run));
    List<Path> files = new ReportWriter(dir).write();
    System.out.println();
    System.out.println("wrote " + dir + ": " + files.stream().map(p -> p.getFileName().toString()).toList());
    if (!failed.isEmpty()) {
      System.err.println("failed: " + String.join(", ", failed) + " (see meta.csv and the messages above)");
      return 1;
    }
    return 0;
  }

  /** The hidden node mode: what E5 runs inside each testbed node to measure compute there. */
  private int nodeCompute() {
    if (profileOut == null) {
      throw new IllegalArgumentException("--node-compute needs --profile-out");
    }
    SuitePlan plan = quick ? SuitePlan.quickPlan() : SuitePlan.fullPlan();
    List<Integer> sides = sizes != null && !sizes.isEmpty() ? sizes : plan.sizes();
    PipelineSpec spec = specOption.load();
    io.edgepipe.api.Tier tier = io.edgepipe.api.Tier.parse(nodeCompute);
    int frames = plan.profileFrames();
    List<ProfileMeasurer.Compute> compute = new SustainedCompute(Math.max(3, frames / 3), frames, plan.computeSeconds())
        .measure(spec, sides, tier, deviceOption.value(), null);
    SustainedCompute.write(spec, sides, compute, profileOut);
    for (ProfileMeasurer.Compute c : compute) {
      System.out.printf(Locale.ROOT, "%s %s %s: sustained %.3f ms, p95 %.3f ms%n", tier.label(), c.size(), c.stage(),
          c.medianMs(), c.p95Ms());
    }
    return 0;
  }

  private Set<String> selected() {
    Set<String> all = new LinkedHashSet<>(List.of("E1", "E3", "E5", "E6", "E7"));
    if (only == null || only.isEmpty()) {
      return all;
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String e : only) {
      String id = e.trim().toUpperCase(Locale.ROOT);
      switch (id) {
        case "E1", "E2" -> chosen.add("E1");
        case "E3" -> chosen.add("E3");
        case "E4", "E5" -> chosen.add("E5");
        case "E6" -> chosen.add("E6");
        case "E7" -> chosen.add("E7");
        case "CODECS" -> chosen.add("CODECS"); // issue 11.8: only when asked
        default -> throw new IllegalArgumentException("--only: unknown experiment '" + e + "' (E1..E7, codecs)");
      }
    }
    return chosen;
  }

  /** The commit the suite runs from, with "+changes" when the working tree differs ("-" outside git). */
  static String gitCommit() {
    try {
      Process head = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
      String commit = new String(head.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (head.waitFor() != 0) {
        return "-";
      }
      Process diff = new ProcessBuilder("git", "diff", "--quiet", "HEAD", "--", ".").start();
      return commit + (diff.waitFor() == 0 ? "" : "+changes");
    } catch (java.io.IOException e) {
      return "-";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "-";
    }
  }

  /** The 1, 5 and 15 minute load averages: other work on the machine shows in every timing. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException | RuntimeException e) {
      double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return l < 0 ? "-" : String.format(Locale.ROOT, "%.2f", l);
    }
  }

  /** Runs one experiment; a failure is recorded and the suite goes on with the next one. */
  private static void attempt(Suite s, String id, List<String> failed, Runnable experiment) {
    try {
      experiment.run();
    } catch (RuntimeException | LinkageError e) {
      failed.add(id);
      s.note(id.toLowerCase(Locale.ROOT) + "_error", e.toString());
      System.err.println(id + " failed: " + e);
    }
  }
}
