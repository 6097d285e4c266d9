package io.edgepipe.cli.bench;

import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import io.edgepipe.cli.report.ResultFiles;
import io.edgepipe.cli.report.Table;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline bench kernels}: our CPU kernels vs OpenCV on the same 1280x720 frames. */
@Command(name = "kernels", mixinStandardHelpOptions = true,
    description = {"Time each CPU kernel against OpenCV's nearest equivalent on the same 1280x720 float frames.",
        "OpenCV runs through JavaCV; the table shows the time of each and the ratio."})
public final class KernelsBenchCommand implements Callable<Integer> {
  @Option(names = "--iterations", defaultValue = "50", description = "Timed iterations per kernel (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    Table table = new Table("kernel", "ours_ms", "opencv_ms", "ours/opencv", "max_abs_diff");
    for (KernelBench.Row r : KernelBench.run(iterations)) {
      table.row(r.kernel(), r.oursMs(), r.opencvMs(), String.format("%.2fx", r.ratio()), String.format("%.2g", r.maxAbsDiff()));
    }
    table.print(System.out);
    Path csv = ResultFiles.csv(out.folder("bench"), "kernels");
    table.writeCsv(csv);
    System.out.println("\nwrote " + csv);
    return 0;
  }
}
