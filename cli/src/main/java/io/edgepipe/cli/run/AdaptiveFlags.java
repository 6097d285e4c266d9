package io.edgepipe.cli.run;

import io.edgepipe.api.Placement;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.testbed.ScheduledTestbedRun;
import io.edgepipe.harness.testbed.TestbedController;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.planner.control.Replanner;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileMatch;
import io.edgepipe.testbed.Names;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code pipeline run --adaptive}: the chain on the testbed with the controller re-placing it
 * while it runs. The link and the edge's CPU can be changed meanwhile from another shell
 * ({@code pipeline testbed set}); the controller reads them, and the frames' timings, every
 * {@value TestbedController#TICK_MS} ms.
 */
public final class AdaptiveFlags {
  @Option(names = "--adaptive", description = "Run on the testbed (root) and move stages between its nodes when "
      + "another placement is predicted better by --margin for --dwell seconds (needs --profile).")
  boolean enabled;

  @Option(names = "--profile", paramLabel = "FILE",
      description = "With --adaptive: the profile the live one starts from (pipeline measure --sizes WxH).")
  Path profile;

  @Option(names = "--placement", defaultValue = "ESSS", description = "With --adaptive: where the chain starts "
      + "(default: ${DEFAULT-VALUE}); the producer stays on its node.")
  String placement;

  @Option(names = "--testbed-prefix", defaultValue = Names.DEFAULT_PREFIX,
      description = "With --adaptive: which testbed (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--seconds", defaultValue = "60", description = "With --adaptive: how long frames stream after "
      + "the warm-up (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--warmup-seconds", defaultValue = "10",
      description = "With --adaptive: frames first streamed and not reported (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--margin", defaultValue = "0.2", description = "With --adaptive: least predicted gain worth a "
      + "move (default: ${DEFAULT-VALUE} = 20%).")
  double margin;

  @Option(names = "--dwell", defaultValue = "1", paramLabel = "SECONDS",
      description = "With --adaptive: how long the gain must hold (default: ${DEFAULT-VALUE}).")
  double dwell;

  @Option(names = "--cooldown", defaultValue = "3", paramLabel = "SECONDS",
      description = "With --adaptive: least time between moves (default: ${DEFAULT-VALUE}).")
  double cooldown;

  @Option(names = "--standby", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "With --adaptive: keep every stage also running, idle, on the other node, so a move is a repoint "
          + "(default); --no-standby starts the stage on its new node at each move and stops the old one.")
  boolean standby;

  public boolean enabled() {
    return enabled;
  }

  /** Hysteresis of the re-planner, from the flags. */
  Replanner.Settings settings() {
    if (margin < 0 || dwell < 0 || cooldown < 0) {
      throw new IllegalArgumentException("--margin, --dwell and --cooldown must be >= 0");
    }
    return new Replanner.Settings(Objective.THROUGHPUT, margin, Duration.ofMillis(Math.round(dwell * 1000)),
        Duration.ofMillis(Math.round(cooldown * 1000)), false);
  }

  /** With standbys, every instance gets real frames first (warm-up visits), then the run itself. */
  private List<ScheduledTestbedRun.Step> steps(Placement start) {
    List<ScheduledTestbedRun.Step> steps = new java.util.ArrayList<>();
    if (standby) {
      steps.addAll(ScheduledTestbedRun.standbyWarmup(start, WARMUP_MAX_VISIT_S));
    }
    steps.add(new ScheduledTestbedRun.Step("run", 0, 0, 0, seconds, 0));
    return steps;
  }

  /** Most seconds of each standby warm-up visit (it ends sooner once the rate settles). */
  static final double WARMUP_MAX_VISIT_S = 20;

  /** Runs the adaptive chain, prints its moves and windows, writes the timeline CSV; exit code. */
  int run(RunFlags flags, Path outDir) {
    if (!Testbed.isRoot()) {
      throw new IllegalArgumentException("run --adaptive moves stages between the testbed's nodes: "
          + Testbed.NEEDS_ROOT);
    }
    if (profile == null) {
      throw new IllegalArgumentException("run --adaptive needs --profile FILE (pipeline measure --spec "
          + flags.specFile() + " --sizes WxH)");
    }
    if (!(seconds > 1)) {
      throw new IllegalArgumentException("--seconds must be more than 1, got " + seconds);
    }
    PipelineSpec spec = flags.spec();
    Profile base = Profile.read(profile);
    ProfileMatch.Result match = ProfileMatch.check(base, profile.toString(), spec, flags.specFile().toString(), null);
    if (match.warning() != null) {
      System.err.println(match.warning());
    }
    Placement start = Placement.parse(placement.toUpperCase(Locale.ROOT), services(spec));
    TestbedState state = Testbed.require(prefix);
    RunOptions given = flags.options(null, "npy");
    RunOptions o = new RunOptions(spec, flags.specFile(), given.source(), 0, 0, 1, given.device(), given.seed(), null,
        "npy");
    System.out.printf(Locale.ROOT, "%s on testbed %s (link %.0f Mbit/s, edge cpu %.2f): adaptive from %s, %s input, "
            + "%.0f s of frames after %.0f s of warm-up; change the link or the edge's CPU meanwhile with "
            + "`pipeline testbed set`%n", spec.name(), state.prefix(), state.bandwidthBps() / 1e6, state.edgeCpu(),
        start, spec.input(), seconds, warmupSeconds);
    TestbedController controller = TestbedController.forTestbed(base, spec, start, state, settings(),
        line -> System.out.println("  " + line), true);
    ScheduledTestbedRun.Outcome outcome = ScheduledTestbedRun.run(state, start.letters(), o, warmupSeconds,
        steps(start), controller, standby,
        outDir.resolve("logs"), line -> System.out.println("  " + line));
    RunResult result = outcome.result();
    System.out.println();
    RunReport.print(System.out, result);
    Table moves = new Table("decided_s", "from", "to", "stages", "started_ms", "switched_ms", "drained_ms", "drained");
    outcome.moves().forEach(m -> moves.row(m.decidedAt(), m.from().letters(), m.to().letters(),
        String.join("+", m.stages()), m.startedMs(), m.switchedMs(), m.drainedMs(), m.drained() ? "yes" : "no"));
    System.out.println();
    System.out.println(outcome.moves().size() + " move(s); duplicates at the sink: " + result.summary().duplicates()
        + ", lost: " + result.lost());
    if (!outcome.moves().isEmpty()) {
      moves.print(System.out);
    }
    if (outcome.controllerFailure() != null) {
      System.out.println("controller stopped early: " + outcome.controllerFailure());
    }
    Table timeline = new Table("t_s", "delivered", "placement");
    outcome.samples().forEach(s -> timeline.row(s.atSeconds(), s.delivered(), s.path()));
    Path csv = ResultFiles.csv(outDir, spec.name() + "-adaptive-timeline");
    timeline.writeCsv(csv);
    System.out.println("\nwrote " + csv);
    return result.lost() == 0 && result.summary().duplicates() == 0 ? 0 : 1;
  }

  private static List<String> services(PipelineSpec spec) {
    List<String> names = new ArrayList<>(List.of("producer"));
    spec.layers().forEach(l -> names.add(l.name()));
    return names;
  }
}
