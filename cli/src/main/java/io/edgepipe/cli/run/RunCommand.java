package io.edgepipe.cli.run;

import io.edgepipe.harness.EmbeddedRun;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.harness.OutputSaver;
import io.edgepipe.models.post.ModelOutputSaver;
import io.edgepipe.harness.ProcessRun;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunCsv;
import io.edgepipe.harness.RunNotes;
import io.edgepipe.harness.RunSettings;

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
import io.edgepipe.cli.options.OutputFolder;

/** {@code pipeline run}: the whole chain on this machine, and a summary of what came out. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Run the whole chain on this machine and print throughput, latency and per-stage times.",
        "Every stage runs over loopback gRPC, in one JVM or, with --processes, one JVM per compute stage; "
            + "--monolith runs the same kernels in one process without gRPC, as the baseline."})
public final class RunCommand implements Callable<Integer> {
  @Mixin
  RunFlags flags;

  @Option(names = "--monolith", description = "Run the layers in one process, no gRPC (the baseline).")
  boolean monolith;

  @Option(names = "--processes", description = "Run each compute stage in its own JVM.")
  boolean processes;

  @Option(names = "--save-outputs", paramLabel = "DIR", description = "Write every output the sink receives to DIR.")
  Path saveOutputs;

  @Option(names = "--output-format", defaultValue = "npy", description = "npy or png (default: ${DEFAULT-VALUE}); "
      + "a model spec saves its post-processed result and .npy tensors instead.")
  String outputFormat;

  @Mixin
  OutputFolder out;

  @Mixin
  AdaptiveFlags adaptive;

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
    if (adaptive.enabled()) {
      if (monolith || processes || tls || saveOutputs != null) {
        throw new IllegalArgumentException("--adaptive runs on the testbed; --monolith, --processes, --tls and "
            + "--save-outputs do not apply");
      }
      return adaptive.run(flags, out.folder("run"));
    }
    flags.resolveAutoSplit(out.root(), null); // split: auto: the planner picks the cut
    PipelineSpec spec = flags.spec();
    RunOptions o = flags.options(saveOutputs, outputFormat);
    Consumer<Frame> outputs = saveOutputs == null ? null : flags.isModel()
        ? ModelOutputSaver.forSpec(flags.specFile(), saveOutputs, flags.source()) // post-processed results and .npy
        : OutputSaver.create(saveOutputs, outputFormat, flags.source());
    String inputSize = flags.sizing(spec).describe(spec);
    System.out.printf("%s: input %s, %d channel(s) %s; %s x %d flow(s) from %s, %s delivery, device %s%n",
        spec.name(), inputSize, spec.input().c(), spec.inputType().name().toLowerCase(),
        flags.untilSourceEnds() ? "every frame" : o.frames() + " frame(s)", o.flows(), o.source(),
        spec.delivery().label(), flags.deviceResolved());
    RunResult result;
    List<String> services = new ArrayList<>(List.of("producer", "sink"));
    spec.layers().forEach(l -> services.add(l.name()));
    try (EphemeralTls certs = tls ? EphemeralTls.create(services) : null;
        ProgressBar bar = Progress.bar("run", flags.untilSourceEnds() ? -1 : o.frames() * o.flows(), noProgress)) {
      Runnable step = bar::step;
      if (monolith) {
        try (MonolithRun run = new MonolithRun(spec, o.device(), outputs)) {
          result = run.run(o, step);
        }
      } else if (processes) {
        try (ProcessRun run = new ProcessRun(spec, flags.specFile(), o.device(), outputs, out.root().resolve("logs"),
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
    System.out.println();
    RunNotes.of(result, o).forEach(n -> System.out.println("note: " + n));
    Path csv = ResultFiles.csv(out.folder("run"), spec.name() + "-" + result.mode());
    RunCsv.of(result, new RunSettings(flags.specFile().toString(), inputSize, o.flows(), o.fps(),
        spec.delivery().label(), tls, flags.deviceResolved())).writeCsv(csv);
    System.out.println("\nwrote " + csv);
    if (saveOutputs != null) {
      System.out.println("outputs in " + saveOutputs);
    }
    return result.lost() == 0 ? 0 : 1;
  }
}
