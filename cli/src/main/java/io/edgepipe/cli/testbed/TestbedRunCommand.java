package io.edgepipe.cli.testbed;

import io.edgepipe.experiments.models.AutoSplit;
import io.edgepipe.harness.testbed.TestbedRun;

import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.cli.run.Progress;
import io.edgepipe.cli.run.RunFlags;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import io.edgepipe.testbed.TestbedState;
import io.edgepipe.testbed.Units;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline testbed run --placement EESS}: the chain across the testbed's two nodes. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the chain on the testbed, each service on the node its placement letter names.",
        "E is the edge namespace and CPU cgroup, S the server; the producer and sink run on the first letter's node. "
            + "Frames stream through and the report is the one `pipeline run` prints (tables, and CSV under "
            + "<out>/testbed/)."})
public final class TestbedRunCommand implements Callable<Integer> {
  @Spec
  CommandSpec command;

  @Mixin
  RunFlags flags;

  @Option(names = "--placement",
      description = "One letter per microservice, producer first: SSSS, ESSS, EESS, EEES, EEEE. A model spec with "
          + "split: auto may leave it out: the planner's cut for this testbed (edge quota, link) sets it.")
  String placement;

  @Mixin
  OutputFolder out;

  @Option(names = "--no-progress", description = "Do not draw a progress bar.")
  boolean noProgress;

  @Option(names = "--warmup-seconds", defaultValue = "0", paramLabel = "S",
      description = "Stream frames for S seconds first and leave them out of the report: the stage JVMs start "
          + "cold, and on a capped edge their JIT takes seconds (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--warmup-max-seconds", paramLabel = "S",
      description = "The warm-up goes on past --warmup-seconds until the rate settles, at most S seconds in all "
          + "(default: --warmup-seconds + " + TestbedRun.Phases.DEFAULT_EXTRA_WARMUP_S + ").")
  Double warmupMaxSeconds;

  @Mixin
  TestbedTarget testbed;

  @Override
  public Integer call() {
    Integer refused = testbed.refuseUnlessRoot();
    if (refused != null) {
      return refused;
    }
    TestbedState state = testbed.require();
    // split: auto: the cut planned for this testbed's edge quota and link, and the placement it implies
    AutoSplit.Resolved auto = flags.resolveAutoSplit(out.root(), new AutoSplit.Conditions(state.edgeCpu(),
        state.bandwidthBps(), state.delay().toNanos() / 1e6));
    if (placement == null && auto == null) {
      throw new IllegalArgumentException("--placement is required (only a model spec with split: auto may leave it "
          + "to the planner)");
    }
    PipelineSpec spec = flags.spec();
    RunOptions o = flags.requireFrameCount("testbed run").options(null, "npy");
    String where = placement != null ? placement.toUpperCase(Locale.ROOT) : auto.placement();
    System.out.printf("%s on testbed %s (link %s, delay %s, edge cpu %.2f): placement %s, %s input, "
            + "%d frame(s) x %d flow(s) from %s, device %s%n", spec.name(), state.prefix(),
        Units.formatRate(state.bandwidthBps()), Units.formatDelay(state.delay()), state.edgeCpu(), where,
        spec.input(), o.frames(), o.flows(), o.source(), o.device());
    TestbedRun.Phases phases = warmupMaxSeconds == null ? new TestbedRun.Phases(warmupSeconds, 0, 0, 1)
        : new TestbedRun.Phases(warmupSeconds, 0, 0, 1, warmupMaxSeconds);
    if (warmupSeconds > 0) {
      System.out.printf(Locale.ROOT, "first %.1f s of frames are warm-up, not reported (then on until the rate "
          + "settles, at most %.1f s in all)%n", warmupSeconds, phases.warmupMaxSeconds());
    }
    RunResult result;
    List<String> forwarders;
    try (ProgressBar bar = Progress.bar("testbed " + where, o.frames() * o.flows(), noProgress);
         TestbedRun run = new TestbedRun(state, where, out.folder("testbed").resolve("logs"))
             .withPhases(phases)) {
      result = run.run(o, bar::step);
      forwarders = run.proxyStats();
    }
    System.out.println();
    RunReport.print(System.out, result);
    if (!forwarders.isEmpty()) {
      System.out.println();
      forwarders.forEach(line -> System.out.println("delay forwarder " + line));
    }
    Path csv = ResultFiles.csv(out.folder("testbed"), spec.name() + "-" + where);
    RunReport.wide(List.of(result)).writeCsv(csv);
    System.out.println("\nwrote " + csv + " (logs in " + out.folder("testbed").resolve("logs") + ")");
    return result.lost() == 0 ? 0 : 1;
  }
}
