package io.edgepipe.cli.run;

import io.edgepipe.harness.EmbeddedRun;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.harness.OutputSaver;
import io.edgepipe.harness.ProcessRun;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.RunOptions;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.harness.EphemeralTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline run}: the whole chain on this machine, and a summary of what came out. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Run every stage on this machine over loopback gRPC (one JVM, or one per stage with",
        "--processes), stream frames through them, and print throughput, latency and per-stage",
        "times. --monolith runs the same kernels in one process without gRPC, as the baseline."})
public final class RunCommand implements Callable<Integer> {
  @Mixin
  RunFlags flags;

  @Option(names = "--monolith", description = "Run the layers in one process, no gRPC (the baseline).")
  boolean monolith;

  @Option(names = "--processes", description = "Run each compute stage in its own JVM.")
  boolean processes;

  @Option(names = "--save-outputs", paramLabel = "DIR", description = "Write every output the sink receives to DIR.")
  Path saveOutputs;

  @Option(names = "--output-format", defaultValue = "npy", description = "npy or png (default: ${DEFAULT-VALUE}).")
  String outputFormat;

  @Option(names = "--results", defaultValue = "results/run", paramLabel = "DIR",
      description = "Where the CSV goes (default: ${DEFAULT-VALUE}).")
  Path resultsDir;

  @Option(names = "--no-progress", description = "Do not draw a progress bar.")
  boolean noProgress;

  @Option(names = "--tls", description = "Mutual TLS on every hop, with a throwaway CA and certificates made for this run.")
  boolean tls;

  @Override
  public Integer call() {
    if (monolith && processes) {
      throw new IllegalArgumentException("--monolith and --processes exclude each other");
    }
    if (monolith && tls) {
      throw new IllegalArgumentException("--tls secures the gRPC hops; --monolith has none");
    }
    PipelineSpec spec = flags.spec();
    RunOptions o = flags.options(saveOutputs, outputFormat);
    Consumer<Frame> outputs = saveOutputs == null ? null : OutputSaver.create(saveOutputs, outputFormat);
    System.out.printf("%s: %s %s input, %d frame(s) x %d flow(s) from %s, device %s%n", spec.name(),
        spec.input(), spec.inputType().name().toLowerCase(), o.frames(), o.flows(), o.source(), o.device());
    RunResult result;
    List<String> services = new ArrayList<>(List.of("producer", "sink"));
    spec.layers().forEach(l -> services.add(l.name()));
    try (EphemeralTls certs = tls ? EphemeralTls.create(services) : null;
        ProgressBar bar = Progress.bar("run", o.frames() * o.flows(), noProgress)) {
      Runnable step = bar::step;
      if (monolith) {
        try (MonolithRun run = new MonolithRun(spec, o.device(), outputs)) {
          result = run.run(o, step);
        }
      } else if (processes) {
        try (ProcessRun run = new ProcessRun(spec, flags.specFile, o.device(), outputs, Path.of("results", "logs"),
            spec.delivery(), certs)) {
          result = run.run(o, step);
        }
      } else {
        try (EmbeddedRun run = new EmbeddedRun(spec, o.device(), outputs, certs)) {
          result = run.run(o, step);
        }
      }
    }
    System.out.println();
    RunReport.print(System.out, result);
    Path csv = ResultFiles.csv(resultsDir, spec.name() + "-" + result.mode());
    RunReport.wide(List.of(result)).writeCsv(csv);
    System.out.println("\nwrote " + csv);
    if (saveOutputs != null) {
      System.out.println("outputs in " + saveOutputs);
    }
    return result.lost() == 0 ? 0 : 1;
  }
}
