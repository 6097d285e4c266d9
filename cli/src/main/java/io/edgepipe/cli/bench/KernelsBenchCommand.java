package io.edgepipe.cli.bench;

import io.edgepipe.experiments.bench.KernelBench;

import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.report.Table;
import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pipeline bench kernels}: our CPU kernels vs OpenCV on the same 1280x720 frames. */
@Command(name = "kernels", mixinStandardHelpOptions = true,
    description = {"Time each CPU kernel against OpenCV's nearest equivalent on the same 1280x720 float frames.",
        "OpenCV runs through JavaCV, at default threads and at one thread; the table shows min/median/max of each "
            + "and the ratio of the medians."})
public final class KernelsBenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--iterations", defaultValue = "50",
      description = "Timed iterations per kernel and side, at least 20 (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--repeats", defaultValue = "3",
      description = "Times the whole comparison is run, each printed and kept in the CSV (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    if (iterations < KernelBench.MIN_ITERATIONS) {
      throw new ParameterException(spec.commandLine(),
          "--iterations must be at least " + KernelBench.MIN_ITERATIONS + ", got " + iterations);
    }
    if (repeats < 1) {
      throw new ParameterException(spec.commandLine(), "--repeats must be at least 1, got " + repeats);
    }
    KernelBench bench = new KernelBench();
    System.out.println(bench.describe());
    Table all = new Table("repeat", "kernel", "threads", "ours_min_ms", "ours_median_ms", "ours_max_ms",
        "opencv_min_ms", "opencv_median_ms", "opencv_max_ms", "ours/opencv", "ours/opencv_min", "max_abs_diff");
    for (int r = 1; r <= repeats; r++) {
      Table table = new Table("kernel", "threads", "ours ms min/med/max", "opencv ms min/med/max", "ours/opencv",
          "of mins", "max|diff|");
      for (KernelBench.Row row : bench.runAll(iterations)) {
        table.row(row.kernel(), row.threads(), spread(row.ours()), spread(row.opencv()),
            String.format(Locale.ROOT, "%.2fx", row.ratio()), String.format(Locale.ROOT, "%.2fx", row.minRatio()),
            String.format(Locale.ROOT, "%.2g", row.maxAbsDiff()));
        all.row(r, row.kernel(), row.threads(), row.ours().min(), row.ours().median(), row.ours().max(),
            row.opencv().min(), row.opencv().median(), row.opencv().max(),
            String.format(Locale.ROOT, "%.3f", row.ratio()), String.format(Locale.ROOT, "%.3f", row.minRatio()),
            String.format(Locale.ROOT, "%.2g", row.maxAbsDiff()));
      }
      System.out.printf("%nrepeat %d of %d (%d timed iterations per side; ours/opencv: of the medians)%n", r, repeats,
          iterations);
      table.print(System.out);
    }
    Path csv = ResultFiles.csv(out.folder("bench"), "kernels");
    all.writeCsv(csv);
    System.out.println("\nwrote " + csv);
    return 0;
  }

  private static String spread(Spread s) {
    return String.format(Locale.ROOT, "%.3f / %.3f / %.3f", s.min(), s.median(), s.max());
  }
}
