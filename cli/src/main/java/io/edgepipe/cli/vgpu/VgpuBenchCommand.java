package io.edgepipe.cli.vgpu;

import io.edgepipe.experiments.bench.LoopbackVgpu;
import io.edgepipe.experiments.bench.StageVgpuBench;

import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.vgpu.remote.LinkOptions;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline bench vgpu}: each stage's real layer on the local device vs the same device behind
 * the vGPU shim (a loopback vgpu-backend in this process, or {@code --backend}), per frame size.
 */
@Command(name = "vgpu", mixinStandardHelpOptions = true,
    description = {"Compare each stage's layer on the local device and through vgpu:// to a loopback backend.",
        "Time per frame (min/median/max) of each stage's real layer (conv, relu, maxpool of --spec) on the local "
            + "device vs through vgpu:// to a backend on the same device (in this process) over each of --links "
            + "(shared memory, inline, codecs), per frame size, in one run: the remote/local ratio, round trips per "
            + "frame (must be 1) and the geometric mean ratio, against gEdge's 1.70x (AvA 2.00x) and the 1.15x "
            + "target at 1280x720.",
        "Prints a table and writes CSV under --out."})
public final class VgpuBenchCommand implements Callable<Integer> {
  /** gEdge's geometric-mean relative run time under its vGPU (table 3), and AvA's on the same tests. */
  static final double GEDGE = 1.70;
  static final double AVA = 2.00;
  /** Our target ratio at 1280x720. */
  static final double TARGET_720P = 1.15;

  @Option(names = "--spec", split = ",", defaultValue = "pipelines/thesis.yaml", paramLabel = "FILE",
      description = "Pipeline spec(s), comma-separated (default: ${DEFAULT-VALUE}; e.g. pipelines/cnn.yaml, or both).")
  List<Path> specs;

  @Option(names = "--device", defaultValue = "auto",
      description = "Local device, also served by the loopback backend: auto, cpu, cuda, cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--backend", paramLabel = "SPEC",
      description = "Compare with this remote vGPU instead of a loopback backend, e.g. vgpu://gpu-server:50100?tenant=edge1 "
          + "(token from $" + Devices.TOKEN_ENV + ").")
  String backend;

  @Option(names = "--sizes", split = ",", defaultValue = "128x128,512x512,1280x720",
      description = "Frame sizes WxH (default: ${DEFAULT-VALUE}).")
  List<String> sizes;

  @Option(names = "--warmup", defaultValue = "5", description = "Warm-up frames per side and row (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--until-jit-quiet", arity = "0..1", fallbackValue = "30", paramLabel = "SECONDS",
      description = "After --warmup, keep warming every side in rounds of " + StageVgpuBench.QUIET_ROUND
      + " frames until the JIT compilers use at most 5% of this process's CPU in one (as bench pipeline --processes "
      + "warms its stages), for at most SECONDS a row (30 when not given): the remote side runs "
      + "more code (client, doorbell, the loopback backend), which a short warm-up leaves compiling during the "
      + "timed frames.")
  int jitQuietSeconds;

  @Option(names = "--frames", defaultValue = "30", description = "Timed frames per side and row (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--blocks", defaultValue = "3",
      description = "The timed frames alternate local/remote in this many blocks (default: ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--links", split = ",", defaultValue = "shm,inline", paramLabel = "LINK",
      description = "Remote sides to compare, each a session of its own: shm (payloads through shared memory, the "
          + "backend being on this host), inline (payloads in the messages), lz4, zstd (inline, encoded) "
          + "(default: ${DEFAULT-VALUE}).")
  List<String> links;

  @Option(names = "--payload", defaultValue = "frame", paramLabel = "WHERE",
      description = "What a timed frame is: frame (what a stage does with a frame handed over in one buffer: its "
          + "processor receives the payload into the device's host memory where that spares a copy, through vgpu:// "
          + "with shm a region of the shared-memory segment the backend reads in place, and returns the output where "
          + "the device wrote it when it can lend it (with shm: the segment, given back at the next frame as a hop's "
          + "custody gives it back on the answer), else in a fresh heap buffer), wire (the same, the payload "
          + "scattered over 16 KiB direct buffers as a gRPC hop parses it) or host (input and output already in buffers of the device's host memory, Gpu.hostBuffer; "
          + "only the layer is timed) (default: ${DEFAULT-VALUE}).")
  String payload;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    StageVgpuBench.Payload where = switch (payload.strip().toLowerCase(Locale.ROOT)) {
      case "host" -> StageVgpuBench.Payload.HOST;
      case "frame" -> StageVgpuBench.Payload.FRAME;
      case "wire" -> StageVgpuBench.Payload.WIRE;
      default -> throw new IllegalArgumentException("unknown --payload '" + payload + "' (use frame, wire or host)");
    };
    List<StageVgpuBench.Size> parsed = new ArrayList<>();
    for (String s : sizes) {
      parsed.add(StageVgpuBench.Size.parse(s));
    }
    List<PipelineSpec> loaded = new ArrayList<>();
    for (Path p : specs) {
      loaded.add(PipelineSpec.load(p));
    }
    List<String> labels = new ArrayList<>();
    for (String l : links) {
      String label = l.strip().toLowerCase(Locale.ROOT);
      linkOptions(label); // refuses an unknown one before anything starts
      if (!labels.contains(label)) {
        labels.add(label);
      }
    }
    StageVgpuBench bench = new StageVgpuBench(new StageVgpuBench.Config(parsed, warmup, frames, blocks, where, jitQuietSeconds));
    Table t = new Table("spec", "stage", "size", "in_type", "in_KiB", "out_KiB", "side", "min_ms", "median_ms",
        "max_ms", "ratio", "cpu_ms", "device_ms", "shared_KiB", "in_place_KiB", "trips_per_frame", "same_output");
    double load0 = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<StageVgpuBench.Row> rows = new ArrayList<>();
    List<StageVgpuBench.Row> rows720 = new ArrayList<>();
    String remoteName;
    String localName;
    LoopbackVgpu loopback = backend == null ? new LoopbackVgpu(device) : null;
    List<StageVgpuBench.Remote> remotes = new ArrayList<>();
    java.util.Map<String, String> doorbell = new java.util.LinkedHashMap<>(); // per link: trips on the doorbell of all
    try (Gpu local = Devices.open(device)) {
      for (String label : labels) {
        // one tenant, one session per link: fGPU split (the sides take turns, so each has the device to itself)
        RemoteSpec spec = loopback != null ? loopback.spec(1.0 / labels.size(), 64, "bench vgpu " + label)
            : Devices.parseRemote(requireRemote(backend), System.getenv());
        remotes.add(new StageVgpuBench.Remote(label, RemoteGpu.connect(spec.withLink(linkOptions(label)))));
      }
      localName = local.name();
      RemoteGpu first = remotes.get(0).gpu();
      remoteName = first.name() + " (" + first.backendDevice() + ")";
      System.out.printf("local: %s   remote: %s   payloads: %s%n", localName, remoteName, switch (where) {
        case HOST -> "in each device's host buffers (Gpu.hostBuffer), the layer timed";
        case FRAME -> "frames through the stage's processor (payload in one buffer), outputs lent in place or "
            + "fresh heap buffers";
        case WIRE -> "frames through the stage's processor (payload in 16 KiB transport pieces), outputs lent in "
            + "place or fresh heap buffers";
      });
      for (StageVgpuBench.Remote r : remotes) {
        if (r.label().equals("shm") && !r.gpu().sharedMemory()) {
          System.out.println("shm: the backend did not map the segment, payloads go inline: "
              + r.gpu().sharedMemoryDeclined());
        }
      }
      for (PipelineSpec spec : loaded) {
        bench.run(spec, local, remotes, r -> {
          rows.add(r);
          if (r.size().width() == 1280 && r.size().height() == 720) {
            rows720.add(r);
          }
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-8s %-8s %-10s local %8.3f ms",
              spec.name(), r.stage(), r.size(), r.local().medianMs()));
          addRow(t, spec, r, r.local(), "1.00x");
          for (StageVgpuBench.Side side : r.remotes()) {
            line.append(String.format(Locale.ROOT, "  %s %8.3f ms %5.2fx", side.label(), side.medianMs(), r.ratio(side)));
            addRow(t, spec, r, side, fmt(r.ratio(side)));
          }
          System.out.println(line);
        });
      }
      for (StageVgpuBench.Remote r : remotes) {
        doorbell.put(r.label(), r.gpu().doorbellRoundTrips() + " of " + r.gpu().roundTrips());
      }
    } finally {
      for (StageVgpuBench.Remote r : remotes) {
        r.gpu().close();
      }
      if (loopback != null) {
        loopback.close();
      }
    }
    System.out.println();
    t.print(System.out);

    double load1 = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    boolean oneTrip = rows.stream().allMatch(r -> r.remotes().stream().allMatch(s -> s.tripsPerFrame() == 1.0));
    boolean same = rows.stream().allMatch(r -> r.remotes().stream().allMatch(StageVgpuBench.Side::sameOutput));
    Table summary = new Table("measure", "value", "reference");
    summary.row("local device", localName, "-");
    summary.row("remote device", remoteName, "-");
    for (String label : labels) {
      summary.row("geomean " + label + "/local, all rows", fmt(StageVgpuBench.geomeanRatio(rows, label)),
          String.format(Locale.ROOT, "gEdge %.2fx, AvA %.2fx", GEDGE, AVA));
      summary.row("geomean " + label + "/local, 1280x720", rows720.isEmpty() ? "-"
          : fmt(StageVgpuBench.geomeanRatio(rows720, label)), String.format(Locale.ROOT, "target %.2fx", TARGET_720P));
      summary.row("geomean " + label + "/local CPU time, all rows", fmt(StageVgpuBench.geomeanCpuRatio(rows, label)),
          "process CPU, all threads");
    }
    summary.row("round trips per frame per stage", oneTrip ? "1 in every row" : "NOT 1 in some row", "must be 1");
    doorbell.forEach((label, trips) -> summary.row("round trips on the doorbell, " + label, trips,
        "same host: Unix socket instead of the gRPC stream"));
    summary.row("outputs remote == local", same ? "bit-identical in every row" : "DIFFER in some row", "must be identical");
    summary.row("payloads", where.name().toLowerCase(Locale.ROOT), "--payload");
    summary.row("warm-up per side and row", warmup + " frames" + (jitQuietSeconds > 0
        ? ", then up to " + bench.quietWarmupFrames() + " more until the JIT was quiet" : ""), "--warmup, --until-jit-quiet");
    summary.row("machine", Runtime.getRuntime().availableProcessors() + " CPUs, load average "
        + String.format(Locale.ROOT, "%.1f -> %.1f", load0, load1), "other load inflates wall-clock times");
    System.out.println();
    summary.print(System.out);
    System.out.printf(Locale.ROOT, "%nround trips: %s%n", oneTrip ? "OK, exactly 1 per frame per stage"
        : "FAILED, a stage needed more than one round trip per frame");

    String name = "vgpu-stages";
    Path csv = ResultFiles.csv(out.folder("bench"), name);
    t.writeCsv(csv);
    Path sumCsv = out.folder("bench").resolve(csv.getFileName().toString().replace(".csv", "-summary.csv"));
    summary.writeCsv(sumCsv);
    System.out.println("wrote " + csv + " and " + sumCsv);
    return oneTrip && same ? 0 : 1;
  }

  /** The link a --links label names; IllegalArgumentException listing the choices. */
  static LinkOptions linkOptions(String label) {
    return switch (label) {
      case "shm" -> LinkOptions.DEFAULT;
      case "inline" -> LinkOptions.DEFAULT.withShmBytes(0);
      case "lz4", "zstd" -> LinkOptions.DEFAULT.withShmBytes(0).withCodec(PayloadCodec.parse(label));
      default -> throw new IllegalArgumentException("unknown link '" + label + "' in --links (use shm, inline, lz4, zstd)");
    };
  }

  private static void addRow(Table t, PipelineSpec spec, StageVgpuBench.Row r, StageVgpuBench.Side s, String ratio) {
    boolean remote = !Double.isNaN(s.tripsPerFrame());
    t.row(spec.name(), r.stage(), r.size(), r.inType().name().toLowerCase(Locale.ROOT),
        String.format(Locale.ROOT, "%.1f", r.inBytes() / 1024.0), String.format(Locale.ROOT, "%.1f", r.outBytes() / 1024.0),
        s.label(), String.format(Locale.ROOT, "%.3f", s.minMs()), String.format(Locale.ROOT, "%.3f", s.medianMs()),
        String.format(Locale.ROOT, "%.3f", s.maxMs()), ratio, String.format(Locale.ROOT, "%.3f", s.cpuMs()),
        remote ? String.format(Locale.ROOT, "%.3f", s.deviceMs()) : "-",
        remote ? String.format(Locale.ROOT, "%.1f", s.sharedPerFrame() / 1024.0) : "-",
        remote ? String.format(Locale.ROOT, "%.1f", s.inPlacePerFrame() / 1024.0) : "-",
        remote ? String.format(Locale.ROOT, "%.2f", s.tripsPerFrame()) : "-", remote ? (s.sameOutput() ? "yes" : "NO") : "-");
  }

  private static String fmt(double ratio) {
    return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
  }

  private static String requireRemote(String spec) {
    if (!spec.strip().startsWith("vgpu://")) {
      throw new IllegalArgumentException("--backend must be a vgpu:// spec, got " + spec);
    }
    return spec;
  }
}
