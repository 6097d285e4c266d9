package io.edgepipe.cli.bench;

import io.edgepipe.experiments.bench.TransportBench;

import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline bench transport}: a gRPC hop vs a raw socket, same bytes, loopback. */
@Command(name = "transport", mixinStandardHelpOptions = true,
    description = {"Compare one gRPC hop with a raw TCP socket moving the same float32 frames over loopback.",
        "The table shows the MB/s of each, the ratio, and CPU seconds per GB moved at the sending and at the receiving "
            + "end (threads of each end; JIT and GC threads left out), each as the median (min-max) of --repeat runs."})
public final class TransportBenchCommand implements Callable<Integer> {
  /*
   * 2 GB a run, about a second: at 400 MB a run lasted 0.1-0.25 s and one scheduling hiccup moved
   * its ratio by half (quiet, 4 MB frames: 0.62-0.98 in 3 runs of 400 MB in session 9,
   * 0.92-1.07 in 5 runs of 2000 MB in session 10).
   */
  @Option(names = "--megabytes", defaultValue = "2000", description = "Data moved per size, transport and run (default: ${DEFAULT-VALUE} MB).")
  int megabytes;

  @Option(names = "--repeat", defaultValue = "5", description = "Runs of each transport per size, interleaved (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    if (repeat < 1 || megabytes < 1) {
      throw new IllegalArgumentException("--repeat and --megabytes must be at least 1");
    }
    int[][] sizes = {{1, 128, 128}, {1, 256, 256}, {1, 512, 512}, {1, 1024, 1024}, {3, 720, 1280}};
    Table table = new Table("frame (CxHxW f32)", "bytes", "frames", "grpc_MBps", "raw_MBps", "grpc/raw",
        "grpc_send_cpu_s_per_GB", "grpc_recv_cpu_s_per_GB", "raw_send_cpu_s_per_GB", "raw_recv_cpu_s_per_GB");
    Table runs = new Table("frame", "bytes", "frames", "run", "grpc_MBps", "raw_MBps", "grpc/raw",
        "grpc_send_cpu_s_per_GB", "grpc_recv_cpu_s_per_GB", "raw_send_cpu_s_per_GB", "raw_recv_cpu_s_per_GB");
    // Warm-up: every size once through both transports before any timed run, so the JIT has
    // compiled both paths for every frame size and the timed runs measure steady state (a cold
    // gRPC path spends much of a short run's CPU in the compiler threads, which the raw socket's
    // far smaller path does not).
    for (int[] s : sizes) {
      long bytes = (long) s[0] * s[1] * s[2] * 4;
      byte[] payload = TransportBench.payload(bytes);
      int frames = Math.max(20, framesFor(bytes) / 4);
      TransportBench.grpc(s[0], s[1], s[2], payload, frames);
      TransportBench.raw(payload, frames);
    }
    System.err.println("  warm-up done");
    for (int[] s : sizes) {
      long bytes = (long) s[0] * s[1] * s[2] * 4;
      int frames = framesFor(bytes);
      byte[] payload = TransportBench.payload(bytes);
      double[] grpc = new double[repeat];
      double[] raw = new double[repeat];
      double[] ratio = new double[repeat];
      double[][] cpu = new double[4][repeat]; // gRPC send, gRPC receive, raw send, raw receive
      String size = s[0] + "x" + s[1] + "x" + s[2];
      for (int i = 0; i < repeat; i++) { // interleaved, so a load change hits both transports alike
        TransportBench.Run g = TransportBench.grpc(s[0], s[1], s[2], payload, frames);
        TransportBench.Run r = TransportBench.raw(payload, frames);
        grpc[i] = g.mbps();
        raw[i] = r.mbps();
        ratio[i] = g.mbps() / r.mbps();
        cpu[0][i] = g.sendCpuSecondsPerGb();
        cpu[1][i] = g.receiveCpuSecondsPerGb();
        cpu[2][i] = r.sendCpuSecondsPerGb();
        cpu[3][i] = r.receiveCpuSecondsPerGb();
        runs.row(size, bytes, frames, i + 1, g.mbps(), r.mbps(), ratio[i], cpu[0][i], cpu[1][i], cpu[2][i], cpu[3][i]);
      }
      table.row(size, bytes, frames, Spread.of(grpc).text("%.0f"), Spread.of(raw).text("%.0f"),
          Spread.of(ratio).text("%.2f"), Spread.of(cpu[0]).text("%.2f"), Spread.of(cpu[1]).text("%.2f"),
          Spread.of(cpu[2]).text("%.2f"), Spread.of(cpu[3]).text("%.2f"));
      System.err.printf("  %s done%n", size);
    }
    System.out.println("median (min-max) of " + repeat + " runs after a warm-up of every size; both ends in this JVM,"
        + " CPU per GB counted by the threads of each end");
    table.print(System.out);
    Path csv = ResultFiles.csv(out.folder("bench"), "transport");
    table.writeCsv(csv);
    runs.writeCsv(Path.of(csv.toString().replace(".csv", "-runs.csv")));
    System.out.println("\nwrote " + csv);
    return 0;
  }

  private int framesFor(long bytes) {
    return (int) Math.max(20, Math.min(20_000, megabytes * 1_000_000L / bytes));
  }
}
