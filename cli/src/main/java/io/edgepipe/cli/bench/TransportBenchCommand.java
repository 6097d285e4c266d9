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
            + "end (threads of each end; JIT and GC threads left out), each as the median (min-max) of --repeat rounds."})
public final class TransportBenchCommand implements Callable<Integer> {
  /*
   * 2 GB a run, about a second: at 400 MB a run lasted 0.1-0.25 s and one scheduling hiccup moved
   * its ratio by half (quiet, 4 MB frames: 0.62-0.98 in 3 runs of 400 MB in session 9,
   * 0.92-1.07 in 5 runs of 2000 MB in session 10).
   */
  @Option(names = "--megabytes", defaultValue = "2000", description = "Data moved per size, transport and run (default: ${DEFAULT-VALUE} MB).")
  int megabytes;

  @Option(names = "--repeat", defaultValue = "7", description = "Rounds; each runs both transports once per size, in alternating order (default: ${DEFAULT-VALUE}).")
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
    byte[][] payloads = new byte[sizes.length][];
    for (int k = 0; k < sizes.length; k++) {
      int[] s = sizes[k];
      payloads[k] = TransportBench.payload(bytes(s));
      int frames = Math.max(20, framesFor(bytes(s)) / 4);
      TransportBench.grpc(s[0], s[1], s[2], payloads[k], frames);
      TransportBench.raw(payloads[k], frames);
    }
    System.err.println("  warm-up done");
    // Rounds outermost: every size once per round, so each size's runs are spread over the whole
    // bench. With a size's runs back to back (until session 12) they shared whatever the machine
    // did in those seconds: one quiet run gave 1 MB 0.74 (0.69-0.75), the next, a minute later,
    // 0.93 (0.87-0.95), while another size swung the other way.
    double[][][] v = new double[sizes.length][MEASURES][repeat];
    for (int i = 0; i < repeat; i++) {
      for (int k = 0; k < sizes.length; k++) {
        int[] s = sizes[k];
        int frames = framesFor(bytes(s));
        byte[] payload = payloads[k];
        // each pair back to back, in alternating order, so a load change hits both transports alike
        TransportBench.Run g;
        TransportBench.Run r;
        if (i % 2 == 0) {
          g = TransportBench.grpc(s[0], s[1], s[2], payload, frames);
          r = TransportBench.raw(payload, frames);
        } else {
          r = TransportBench.raw(payload, frames);
          g = TransportBench.grpc(s[0], s[1], s[2], payload, frames);
        }
        double[] row = {g.mbps(), r.mbps(), g.mbps() / r.mbps(), g.sendCpuSecondsPerGb(), g.receiveCpuSecondsPerGb(),
            r.sendCpuSecondsPerGb(), r.receiveCpuSecondsPerGb()};
        for (int m = 0; m < row.length; m++) {
          v[k][m][i] = row[m];
        }
        runs.row(size(s), bytes(s), frames, i + 1, row[0], row[1], row[2], row[3], row[4], row[5], row[6]);
      }
      System.err.printf("  round %d of %d done%n", i + 1, repeat);
    }
    for (int k = 0; k < sizes.length; k++) {
      int[] s = sizes[k];
      double[][] m = v[k];
      table.row(size(s), bytes(s), framesFor(bytes(s)), Spread.of(m[0]).text("%.0f"), Spread.of(m[1]).text("%.0f"),
          Spread.of(m[2]).text("%.2f"), Spread.of(m[3]).text("%.2f"), Spread.of(m[4]).text("%.2f"),
          Spread.of(m[5]).text("%.2f"), Spread.of(m[6]).text("%.2f"));
    }
    System.out.println("median (min-max) of " + repeat + " rounds (every size once a round) after a warm-up of every size;"
        + " both ends in this JVM,"
        + " CPU per GB counted by the threads of each end");
    table.print(System.out);
    Path csv = ResultFiles.csv(out.folder("bench"), "transport");
    table.writeCsv(csv);
    runs.writeCsv(Path.of(csv.toString().replace(".csv", "-runs.csv")));
    System.out.println("\nwrote " + csv);
    return 0;
  }

  /** Per run: gRPC MB/s, raw MB/s, their ratio, CPU per GB of gRPC's send and receive ends and raw's. */
  private static final int MEASURES = 7;

  private static long bytes(int[] s) {
    return (long) s[0] * s[1] * s[2] * 4;
  }

  private static String size(int[] s) {
    return s[0] + "x" + s[1] + "x" + s[2];
  }

  private int framesFor(long bytes) {
    return (int) Math.max(20, Math.min(20_000, megabytes * 1_000_000L / bytes));
  }
}
