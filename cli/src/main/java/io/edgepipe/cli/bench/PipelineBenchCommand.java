package io.edgepipe.cli.bench;

import io.edgepipe.cli.report.ResultFiles;
import io.edgepipe.cli.report.Table;
import io.edgepipe.cli.run.EmbeddedRun;
import io.edgepipe.cli.run.MonolithRun;
import io.edgepipe.cli.run.Progress;
import io.edgepipe.cli.run.RunFlags;
import io.edgepipe.cli.run.RunOptions;
import io.edgepipe.cli.run.RunReport;
import io.edgepipe.cli.run.RunResult;
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
    description = "Frames through the 4-stage pipeline and through the monolith, same run: fps of each, the ratio, and the pipeline's efficiency against its slowest stage.")
public final class PipelineBenchCommand implements Callable<Integer> {
  @Mixin
  RunFlags flags;

  @Option(names = "--results", defaultValue = "results/bench", description = "Where the CSV goes (default: ${DEFAULT-VALUE}).")
  Path resultsDir;

  @Override
  public Integer call() {
    RunOptions o = flags.options(null, "npy");
    RunResult pipeline;
    RunResult monolith;
    try (ProgressBar bar = Progress.bar("pipeline", o.frames() * o.flows(), false);
        EmbeddedRun run = new EmbeddedRun(o.spec(), o.device(), null)) {
      pipeline = run.run(o, bar::step);
    }
    try (ProgressBar bar = Progress.bar("monolith", o.frames() * o.flows(), false);
        MonolithRun run = new MonolithRun(o.spec(), o.device(), null)) {
      monolith = run.run(o, bar::step);
    }
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
    Table t = new Table("pipeline_fps", "monolith_fps", "pipeline/monolith", "slowest_stage",
        "slowest_process_ms", "ideal_fps", "pipeline/ideal");
    t.row(pipeline.summary().fps(), monolith.summary().fps(),
        String.format("%.2fx", pipeline.summary().fps() / monolith.summary().fps()), slowestStage, slowest, ideal,
        String.format("%.0f%%", 100 * pipeline.summary().fps() / ideal));
    System.out.println();
    t.print(System.out);
    Path csv = ResultFiles.csv(resultsDir, "pipeline-" + o.spec().name());
    RunReport.wide(List.of(pipeline, monolith)).writeCsv(csv);
    t.writeCsv(Path.of(csv.toString().replace(".csv", "-ratio.csv")));
    System.out.println("\nwrote " + csv);
    return 0;
  }
}
