package io.edgepipe.cli.bench;

import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.EmbeddedRun;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.cli.run.Progress;
import io.edgepipe.cli.run.RunFlags;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import io.edgepipe.producer.PhaseRow;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pipeline bench pipeline}: the same frames through the gRPC pipeline and the monolith in
 * one run. Also reports the pipeline against its ideal: the rate its slowest stage's compute
 * time allows.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = {"Stream frames through the 4-stage pipeline and through the monolith in one run, and compare them.",
        "Shows the fps of each, the ratio, and the pipeline's efficiency against its slowest stage."})
public final class PipelineBenchCommand implements Callable<Integer> {
  @Mixin
  RunFlags flags;

  @Mixin
  OutputFolder out;

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  @Override
  public Integer call() {
    RunOptions o = flags.requireFrameCount("bench pipeline").options(null, "npy");
    RunResult pipeline;
    RunResult monolith;
    long cpu0 = processCpuNanos();
    try (ProgressBar bar = Progress.bar("pipeline", o.frames() * o.flows(), false);
        EmbeddedRun run = new EmbeddedRun(o.spec(), o.device(), null)) {
      pipeline = run.run(o, bar::step);
    }
    long cpu1 = processCpuNanos();
    try (ProgressBar bar = Progress.bar("monolith", o.frames() * o.flows(), false);
        MonolithRun run = new MonolithRun(o.spec(), o.device(), null)) {
      monolith = run.run(o, bar::step);
    }
    long cpu2 = processCpuNanos();
    double frames = o.frames() * o.flows();
    double pipelineCpuMs = (cpu1 - cpu0) / 1e6 / frames;
    double monolithCpuMs = (cpu2 - cpu1) / 1e6 / frames;
    int cores = Runtime.getRuntime().availableProcessors();
    RunReport.totals(List.of(pipeline, monolith)).print(System.out);
    System.out.println();
    RunReport.phases(pipeline).print(System.out);
    double slowest = 0;
    String slowestStage = "";
    for (PhaseRow p : pipeline.summary().phases()) {
      if (!p.stage().equals("sink") && p.processMs() > slowest) {
        slowest = p.processMs();
        slowestStage = p.stage();
      }
    }
    double ideal = 1000.0 / slowest;
    // Two ideals: the slowest stage's pace (each stage on its own core), and what this machine's
    // cores allow given the CPU time the pipeline spends per frame (all stages sharing them)
    double cpuBound = cores * 1000.0 / pipelineCpuMs;
    Table t = new Table("pipeline_fps", "monolith_fps", "pipeline/monolith", "slowest_stage",
        "slowest_process_ms", "ideal_fps", "pipeline/ideal", "cpu_ms_per_frame", "monolith_cpu_ms_per_frame",
        "cores", "cpu_bound_fps", "pipeline/cpu_bound");
    t.row(pipeline.summary().fps(), monolith.summary().fps(),
        String.format("%.2fx", pipeline.summary().fps() / monolith.summary().fps()), slowestStage, slowest, ideal,
        String.format("%.0f%%", 100 * pipeline.summary().fps() / ideal), pipelineCpuMs, monolithCpuMs, cores,
        cpuBound, String.format("%.0f%%", 100 * pipeline.summary().fps() / cpuBound));
    System.out.println();
    t.print(System.out);
    Path csv = ResultFiles.csv(out.folder("bench"), "pipeline-" + o.spec().name());
    RunReport.wide(List.of(pipeline, monolith)).writeCsv(csv);
    t.writeCsv(Path.of(csv.toString().replace(".csv", "-ratio.csv")));
    System.out.println("\nwrote " + csv);
    return 0;
  }
}
