package io.edgepipe.cli.bench;

import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.EmbeddedRun;
import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.cli.run.Progress;
import io.edgepipe.cli.run.RunFlags;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunReport;
import io.edgepipe.harness.RunResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pipeline bench soak}: a long run at full speed through the embedded pipeline, reporting
 * throughput over time and the heap after each 10% of the run (after a GC, so the figure is
 * what is retained, not garbage): a leak shows as a heap that keeps growing.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "A long embedded run at full speed: throughput over time and retained heap after each 10%% of the frames.")
public final class SoakCommand implements Callable<Integer> {
  @Mixin
  RunFlags flags;

  @Mixin
  OutputFolder out;

  /** One checkpoint: frames sent so far, fps since the previous one, retained heap. */
  public record Checkpoint(int percent, long frames, double seconds, double fps, double heapMb) {}

  @Override
  public Integer call() {
    RunOptions o = flags.requireFrameCount("bench soak").options(null, "npy");
    long total = o.frames() * o.flows();
    Table table = new Table("progress", "frames", "seconds", "fps_interval", "heap_retained_mb");
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong sent = new AtomicLong();
    long start = System.nanoTime();
    long[] last = {0, start};
    RunResult result;
    try (ProgressBar bar = Progress.bar("soak", total, false);
        EmbeddedRun run = new EmbeddedRun(o.spec(), o.device(), null)) {
      result = run.run(o, () -> {
        bar.step();
        long n = sent.incrementAndGet();
        if (n % Math.max(1, total / 10) == 0) {
          long now = System.nanoTime();
          double fps = (n - last[0]) / ((now - last[1]) / 1e9);
          System.gc(); // what survives a collection is what the pipeline holds on to
          double heapMb = memory.getHeapMemoryUsage().getUsed() / 1048576.0;
          synchronized (table) {
            table.row((int) (100 * n / total) + "%", n, (now - start) / 1e9, fps, heapMb);
          }
          last[0] = n;
          last[1] = System.nanoTime();
        }
      });
    }
    System.out.println();
    RunReport.totals(List.of(result)).print(System.out);
    System.out.println();
    table.print(System.out);
    Path csv = ResultFiles.csv(out.folder("bench"), "soak-" + o.spec().name());
    table.writeCsv(csv);
    System.out.println("\nwrote " + csv);
    return result.lost() == 0 ? 0 : 1;
  }
}
