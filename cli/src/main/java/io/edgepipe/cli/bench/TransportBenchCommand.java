package io.edgepipe.cli.bench;

import io.edgepipe.experiments.bench.TransportBench;

import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline bench transport}: a gRPC hop vs a raw socket, same bytes, loopback. */
@Command(name = "transport", mixinStandardHelpOptions = true,
    description = {"Compare one gRPC hop with a raw TCP socket moving the same float32 frames over loopback.",
        "The table shows the MB/s of each and the ratio."})
public final class TransportBenchCommand implements Callable<Integer> {
  @Option(names = "--megabytes", defaultValue = "400", description = "Data moved per size and transport (default: ${DEFAULT-VALUE} MB).")
  int megabytes;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    int[][] sizes = {{1, 128, 128}, {1, 256, 256}, {1, 512, 512}, {1, 1024, 1024}, {3, 720, 1280}};
    Table table = new Table("frame (CxHxW f32)", "bytes", "frames", "grpc_MBps", "raw_MBps", "grpc/raw");
    for (int[] s : sizes) {
      long bytes = (long) s[0] * s[1] * s[2] * 4;
      int frames = (int) Math.max(20, Math.min(20_000, megabytes * 1_000_000L / bytes));
      TransportBench.Row r = TransportBench.measure(s[0], s[1], s[2], frames);
      table.row(r.size(), r.bytes(), r.frames(), r.grpcMBps(), r.rawMBps(), String.format("%.0f%%", 100 * r.ratio()));
      System.err.printf("  %s done%n", r.size());
    }
    table.print(System.out);
    Path csv = ResultFiles.csv(out.folder("bench"), "transport");
    table.writeCsv(csv);
    System.out.println("\nwrote " + csv);
    return 0;
  }
}
