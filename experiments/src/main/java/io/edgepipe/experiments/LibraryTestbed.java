package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunResult;
import io.edgepipe.harness.testbed.TestbedRun;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedConfig;
import io.edgepipe.testbed.TestbedState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@link TestbedDriver} over the project's testbed ({@link Testbed} for up and down,
 * {@link TestbedRun} for placed runs, its node launcher for commands in a node's namespace and
 * cgroup). The suite uses its own prefix, {@value #PREFIX}, so it neither takes over nor removes
 * a testbed someone brought up by hand with the default one.
 */
final class LibraryTestbed implements TestbedDriver {
  static final String PREFIX = "edgepipe-xp";

  private final Path logDir;
  private final String prefix;
  /** The {@code pipeline} command's main class: {@link #runCli} runs it inside a node. */
  private final String cliMain;
  private TestbedState state;
  private int runs;

  private LibraryTestbed(Path logDir, String cliMain, String prefix) {
    this.logDir = logDir;
    this.prefix = prefix;
    this.cliMain = cliMain;
  }

  static TestbedDrivers.Availability create(Path logDir, String cliMain) {
    return create(logDir, cliMain, PREFIX);
  }

  /** With its own prefix, so another testbed user (the suite, a person) is left alone. */
  static TestbedDrivers.Availability create(Path logDir, String cliMain, String prefix) {
    List<String> missing = Testbed.missingPrerequisites();
    if (!missing.isEmpty()) {
      return TestbedDrivers.Availability.none("the testbed cannot run here: " + String.join("; ", missing));
    }
    return new TestbedDrivers.Availability(new LibraryTestbed(logDir, cliMain, prefix), null);
  }

  @Override
  public void up(String bandwidth, double edgeCpu) {
    down();
    state = Testbed.up(TestbedConfig.defaults().withPrefix(prefix).withBandwidth(bandwidth).withEdgeCpu(edgeCpu));
  }

  @Override
  public void down() {
    if (state != null || Testbed.state(prefix).isPresent()) {
      Testbed.down(prefix);
    }
    state = null;
  }

  private TestbedState requireUp() {
    if (state == null) {
      throw new IllegalStateException("the experiments' testbed is not up");
    }
    return state;
  }

  @Override
  public double bandwidthBitsPerSec() {
    return requireUp().bandwidthBps();
  }

  @Override
  public double edgeCpu() {
    return requireUp().edgeCpu();
  }

  @Override
  public RunResult run(PipelineSpec spec, Path specFile, String placement, RunOptions options, double warmupSeconds,
      Runnable progress) {
    try (TestbedRun run = new TestbedRun(requireUp(), placement, logsOf(placement, spec))
        .withPhases(new TestbedRun.Phases(warmupSeconds, 0, 0, 1))) {
      return run.run(withSpec(spec, specFile, options), progress);
    }
  }

  @Override
  public PhasedResult runPhased(PipelineSpec spec, Path specFile, String placement, RunOptions options,
      TestbedRun.Phases phases, Runnable progress) {
    try (TestbedRun run = new TestbedRun(requireUp(), placement, logsOf(placement, spec)).withPhases(phases)) {
      RunResult paced = run.run(withSpec(spec, specFile, options), progress);
      List<RunResult> earlier = run.earlierPhases();
      if (earlier.size() != 1) {
        throw new IllegalStateException("expected a throughput and a paced result, got " + (earlier.size() + 1));
      }
      return new PhasedResult(earlier.get(0), paced, run.serviceCpu(paced));
    }
  }

  private static RunOptions withSpec(PipelineSpec spec, Path specFile, RunOptions options) {
    return new RunOptions(spec, specFile, options.source(), options.frames(), options.fps(), options.flows(),
        options.device(), options.seed(), null, options.outputFormat());
  }

  private Path logsOf(String placement, PipelineSpec spec) {
    return logDir.resolve(String.format(Locale.ROOT, "run-%03d-%s-%dx%d", ++runs, placement, spec.input().w(),
        spec.input().h()));
  }

  @Override
  public int runCli(String node, List<String> args, Path log, Duration timeout) {
    Node n = node.equalsIgnoreCase("edge") ? Node.EDGE : Node.SERVER;
    NodeProcess p = Testbed.launcher(requireUp()).startJava(node + "-cli", n, List.of("-Xmx1g"),
        cliMain, args, log);
    try {
      if (!p.waitFor(timeout)) {
        p.stop(Duration.ofSeconds(5));
        throw new IllegalStateException("`pipeline " + String.join(" ", args) + "` on the " + node
            + " node did not finish in " + timeout.toSeconds() + " s; see " + log);
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.stop(Duration.ofSeconds(5));
      throw new IllegalStateException("interrupted");
    }
  }

  @Override
  public TestbedState state() {
    return requireUp();
  }

  @Override
  public String describe() {
    TestbedState s = requireUp();
    return String.format(Locale.ROOT, "prefix %s, link %.0f Mbit/s each way (htb+tbf), edge cpu %.2f cores, "
        + "one-way delay %d us", s.prefix(), s.bandwidthBps() / 1e6, s.edgeCpu(), s.delayMicros());
  }
}
