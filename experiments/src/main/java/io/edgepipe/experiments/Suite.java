package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.Table;
import io.edgepipe.launcher.RunOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/**
 * What every experiment of one suite run shares: the plan, the spec, the device, where files
 * go, the one progress bar across the whole suite, and the key/value notes that end up in
 * {@code meta.csv} (settings, skipped experiments and why).
 */
public final class Suite {
  final SuitePlan plan;
  final PipelineSpec spec;
  final Path specFile;
  final String device;
  final Path dir;
  final Path logs;
  final PrintStream console;
  final TestbedDrivers.Availability testbed;
  final double edgeCpu;
  final long seed = 1;
  private final Map<String, String> meta = new LinkedHashMap<>();
  private ProgressBar bar;

  public Suite(SuitePlan plan, PipelineSpec spec, Path specFile, String device, Path dir, Path logs, PrintStream console,
      TestbedDrivers.Availability testbed, double edgeCpu) {
    this.plan = plan;
    this.spec = spec;
    this.specFile = specFile;
    this.device = device;
    this.dir = dir;
    this.logs = logs;
    this.console = console;
    this.testbed = testbed;
    this.edgeCpu = edgeCpu;
  }

  /** The same suite with another plan (a part of it measured at other sizes), sharing settings and progress. */
  Suite withPlan(SuitePlan other) {
    Suite s = new Suite(other, spec, specFile, device, dir, logs, console, testbed, edgeCpu);
    s.bar = bar;
    s.meta.putAll(meta);
    return s;
  }

  public void bar(ProgressBar bar) {
    this.bar = bar;
  }

  /** One unit of the suite's progress done. */
  void step() {
    if (bar != null) {
      bar.step();
    }
  }

  void stepBy(long n) {
    if (bar != null && n > 0) {
      bar.stepBy(n);
    }
  }

  /** Names what the suite is doing now, in the bar's label. */
  void task(String name) {
    if (bar != null) {
      bar.setExtraMessage(" " + name);
    }
  }

  /**
   * Runs {@code run} with a progress callback that counts; afterwards the bar is moved on to
   * {@code planned} frames whatever the callback was called for (a testbed run reports progress
   * from another process, maybe not once per frame).
   */
  <T> T counted(long planned, java.util.function.Function<Runnable, T> run) {
    java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
    try {
      return run.apply(() -> {
        if (n.incrementAndGet() <= planned) {
          step();
        }
      });
    } finally {
      stepBy(planned - Math.min(planned, n.get()));
    }
  }

  public void note(String key, Object value) {
    meta.put(key, Table.format(value));
  }

  public Map<String, String> meta() {
    return meta;
  }

  /** Options of one synthetic run of {@code s}. */
  RunOptions options(PipelineSpec s, long frames, double fps, int flows) {
    return new RunOptions(s, specFile, "synthetic", frames, fps, flows, device, seed, null, "npy");
  }

  /** Prints a line above the progress bar. */
  void say(String line) {
    console.println(line);
  }
}
