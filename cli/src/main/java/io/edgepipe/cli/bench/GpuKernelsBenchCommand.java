package io.edgepipe.cli.bench;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.experiments.bench.GpuKernelBench;
import io.edgepipe.experiments.bench.StageVgpuBench;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.MemoryBandwidth;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pipeline bench gpu-kernels}: each stage's kernel alone on a device, as a fraction of its memory bandwidth. */
@Command(name = "gpu-kernels", mixinStandardHelpOptions = true,
    description = {"Time each stage's kernel alone on a device and compare the bytes it moves with the device's peak "
        + "memory bandwidth.",
        "The stages' own layers (conv, relu, maxpool of --spec) launch on f32 buffers already on the device, with no "
            + "host copies in the timed loop: each launch+synchronize timed (min/median/max), and batches of launches "
            + "queued back to back with one synchronize (per launch, median of the batches). Achieved GB/s is the "
            + "least a launch must move (input read once, output written once, weights) over the time; on cuda the "
            + "peak is the driver's memory clock x bus width x 2 / 8, and the table shows the fraction of it.",
        "Prints a table and writes CSV under --out."})
public final class GpuKernelsBenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  SpecOption specOption;

  @Option(names = "--device", defaultValue = "auto",
      description = "Device: auto, cpu, cuda, cuda:N or vgpu://HOST:PORT (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--iterations", defaultValue = "50",
      description = "Timed launches per kernel and timing, at least " + GpuKernelBench.MIN_ITERATIONS
          + " (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--size", defaultValue = "1280x720", paramLabel = "WxH",
      description = "Frame size (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(names = "--rotate-mib", defaultValue = "256", paramLabel = "MiB",
      description = "Device memory the launches cycle through in buffer sets, more than any GPU's L2 cache so that "
          + "each launch reads device memory, not a cache (default: ${DEFAULT-VALUE}; 0: one set).")
  long rotateMib;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    if (iterations < GpuKernelBench.MIN_ITERATIONS) {
      throw new ParameterException(spec.commandLine(),
          "--iterations must be at least " + GpuKernelBench.MIN_ITERATIONS + ", got " + iterations);
    }
    if (rotateMib < 0 || rotateMib > 1 << 20) {
      throw new ParameterException(spec.commandLine(), "--rotate-mib must be in 0.." + (1 << 20) + ", got " + rotateMib);
    }
    StageVgpuBench.Size frame;
    try {
      frame = StageVgpuBench.Size.parse(size);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--size: " + e.getMessage());
    }
    PipelineSpec pipeline = specOption.load().withInput(frame.height(), frame.width());
    GpuKernelBench bench = new GpuKernelBench(iterations, rotateMib << 20);
    double load0 = loadAverage();
    String deviceName;
    MemoryBandwidth peak;
    List<GpuKernelBench.Row> rows;
    try (Gpu gpu = Devices.open(device)) {
      deviceName = gpu.name();
      peak = gpu.memoryBandwidth();
      System.out.printf(Locale.ROOT, "device: %s   peak memory bandwidth: %s%n", deviceName,
          peak.known() ? String.format(Locale.ROOT, "%.1f GB/s", peak.gigabytesPerSecond()) : "n/a");
      System.out.printf(Locale.ROOT, "%s at %s, f32 on the device, %d timed launches per kernel and timing%n",
          pipeline.name(), frame, iterations);
      rows = bench.run(pipeline, gpu, r -> System.out.printf(Locale.ROOT, "  %-8s %8.3f ms median%n", r.stage(),
          r.synced().median()));
    }
    double load1 = loadAverage();

    Table table = new Table("kernel", "in -> out", "MB moved", "launch+sync ms min/med/max", "GB/s", "of peak",
        "back-to-back ms", "GB/s", "of peak");
    Table csv = new Table("device", "spec", "stage", "kind", "size", "in_shape", "out_shape", "input_bytes",
        "output_bytes", "constant_bytes", "bytes", "iterations", "buffer_sets", "min_ms", "median_ms", "max_ms", "gbps",
        "fraction_of_peak", "back_to_back_ms", "back_to_back_gbps", "back_to_back_fraction", "peak_gbps",
        "load_before", "load_after");
    for (GpuKernelBench.Row r : rows) {
      double gbps = r.bytesPerSecond() / 1e9;
      double b2b = r.backToBackBytesPerSecond() / 1e9;
      double fraction = GpuKernelBench.Row.fractionOf(r.bytesPerSecond(), peak);
      double b2bFraction = GpuKernelBench.Row.fractionOf(r.backToBackBytesPerSecond(), peak);
      table.row(r.stage() + " (" + r.kind() + ")", r.in() + " -> " + r.out(), f("%.2f", r.traffic().total() / 1e6),
          f("%.3f / %.3f / %.3f", r.synced().min(), r.synced().median(), r.synced().max()), f("%.1f", gbps),
          fraction(fraction), f("%.4f", r.backToBackMs()), f("%.1f", b2b), fraction(b2bFraction));
      csv.row(deviceName, pipeline.name(), r.stage(), r.kind(), frame, r.in(), r.out(), r.traffic().inputBytes(),
          r.traffic().outputBytes(), r.traffic().constantBytes(), r.traffic().total(), r.iterations(), r.sets(),
          f("%.4f", r.synced().min()), f("%.4f", r.synced().median()), f("%.4f", r.synced().max()), f("%.3f", gbps),
          fraction(fraction), f("%.5f", r.backToBackMs()), f("%.3f", b2b), fraction(b2bFraction),
          peak.known() ? f("%.1f", peak.gigabytesPerSecond()) : "n/a", f("%.2f", load0), f("%.2f", load1));
    }
    System.out.println();
    table.print(System.out);
    System.out.println(peak.known()
        ? f("peak %.1f GB/s: the driver's memory clock x bus width x 2 / 8; a fraction above 1 means caches served part "
            + "of the traffic.", peak.gigabytesPerSecond())
        : "of peak n/a: " + peak.note() + ".");
    System.out.printf(Locale.ROOT, "launch+sync includes the launch and synchronize round trip; back-to-back queues "
        + "%d launches and synchronizes once, closer to the kernel's own time (per launch, median of %d such "
        + "batches). Buffer sets cycled (--rotate-mib %d): %s. Load average %.1f -> %.1f on %d CPUs.%n", iterations,
        GpuKernelBench.BATCHES, rotateMib,
        String.join(", ", rows.stream().map(r -> r.stage() + " " + r.sets()).toList()), load0, load1,
        Runtime.getRuntime().availableProcessors());
    Path file = ResultFiles.csv(out.folder("bench"), "gpu-kernels");
    csv.writeCsv(file);
    System.out.println("wrote " + file);
    return 0;
  }

  private static String fraction(double f) {
    return Double.isNaN(f) ? "n/a" : String.format(Locale.ROOT, "%.3f", f);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
