package io.edgepipe.cli.vgpu;

import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.experiments.bench.LoopbackVgpu;
import io.edgepipe.experiments.bench.StageProfiler;
import io.edgepipe.experiments.bench.StageVgpuBench;

import io.edgepipe.cli.options.OutputFolder;
import picocli.CommandLine.Mixin;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.ResultFiles;
import io.edgepipe.harness.report.Table;
import io.edgepipe.vgpu.bench.QuotaAdvisor;
import io.edgepipe.vgpu.remote.Wire;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline vgpu profile --stage conv --spec pipelines/cnn.yaml}: gEdge's profile-guided
 * sizing of one stage's fGPU and vMemory (see {@link StageProfiler}).
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
    description = {"Recommend the smallest fGPU and vMemory quota that keep a stage's frame rate.",
        "Profile-guided quota sizing (gEdge): the stage's real layer runs with the device to itself (through a "
            + "loopback vgpu-backend, fGPU 1), the backend measures its device busy time and peak memory, and the "
            + "recommendation (vMemory in 256 MiB units) keeps the rate it reached, or --fps.",
        "Use the result as vgpu://gpu-server:50100?tenant=T&fgpu=F&vmem=N for that stage."})
public final class VgpuProfileCommand implements Callable<Integer> {
  @Option(names = "--stage", required = true, description = "Stage of the spec to profile, e.g. conv.")
  String stage;

  @Mixin
  SpecOption specOption;

  @Option(names = "--device", defaultValue = "auto",
      description = "Device the backend serves: auto, cpu, cuda, cuda:N (default: ${DEFAULT-VALUE}); profile on the "
          + "kind of GPU the tenants will get.")
  String device;

  @Option(names = "--fps", defaultValue = "0",
      description = "Frame rate to keep (default: the rate measured with the device to itself).")
  double fps;

  @Option(names = "--frames", defaultValue = "50", description = "Timed frames (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--warmup", defaultValue = "10", description = "Warm-up frames (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--size", paramLabel = "WxH", description = "Frame size instead of the spec's input, e.g. 640x480.")
  String size;

  @Option(names = "--headroom", defaultValue = "" + QuotaAdvisor.DEFAULT_HEADROOM,
      description = "Multiplier on both measurements for jitter (default: ${DEFAULT-VALUE}).")
  double headroom;

  @Option(names = "--verify", description = "Then run the stage at the recommended fGPU against a competitor that "
      + "saturates the device with the rest, and report the rate it keeps.")
  boolean verify;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() throws Exception {
    PipelineSpec spec = specOption.load();
    if (size != null) {
      StageVgpuBench.Size s = StageVgpuBench.Size.parse(size);
      spec = spec.withInput(s.height(), s.width());
    }
    if (fps < 0 || !(headroom >= 1)) {
      throw new IllegalArgumentException("--fps must be >= 0 (0: the measured rate) and --headroom >= 1");
    }
    try (LoopbackVgpu backend = new LoopbackVgpu(device)) {
      StageProfiler profiler = new StageProfiler(backend, spec, stage, warmup, frames);
      // a generous quota for the exclusive run: the point is to measure what the stage takes
      int vmemForRun = (int) Math.min(1 << 12, Math.max(16, Runtime.getRuntime().maxMemory() / Wire.VMEM_UNIT_BYTES));
      StageProfiler.Result r = profiler.profile(vmemForRun);
      QuotaAdvisor.Profile p = r.profile();
      QuotaAdvisor.Recommendation rec = QuotaAdvisor.recommend(p, fps, headroom);
      System.out.printf(Locale.ROOT, "profiled %s (%s) of %s on %s: input %s %s, %d frames with the device to itself "
          + "(fgpu 1), %.2f round trips/frame%n", r.stage(), r.kind(), spec.name(), r.device(), r.input(),
          r.inType().name().toLowerCase(Locale.ROOT), p.frames(), r.tripsPerFrame());
      Table t = new Table("stage", "device", "input", "frame_ms", "measured_fps", "device_ms_per_frame",
          "batch_device_ms", "device_share", "peak_MiB", "target_fps", "headroom", "fgpu", "vmem_units", "vmem_MiB",
          "device_fast_enough");
      t.row(r.stage(), r.device(), r.input() + " " + r.inType().name().toLowerCase(Locale.ROOT),
          f3(p.wallMsPerFrame()), f1(p.fps()), f3(p.busyMsPerFrame()), f3(r.batchDeviceMsPerFrame()),
          f3(p.deviceShare()), f1(p.peakBytes() / 1048576.0), f1(rec.targetFps()) + (fps > 0 ? "" : " (measured)"),
          String.format(Locale.ROOT, "%.2f", headroom), String.format(Locale.ROOT, "%.2f", rec.quota().fgpu()),
          rec.quota().vmemUnits(), rec.quota().vmemUnits() * (Wire.VMEM_UNIT_BYTES >> 20),
          rec.quota().deviceFastEnough() ? "yes" : "NO");
      System.out.println();
      t.print(System.out);
      System.out.println();
      System.out.println("recommendation: " + rec.summary());
      System.out.printf(Locale.ROOT, "  use: --device 'vgpu://gpu-server:%d?tenant=TENANT&fgpu=%.2f&vmem=%d' "
          + "(token in $EDGEPIPE_VGPU_TOKEN)%n", Wire.DEFAULT_PORT, rec.quota().fgpu(), rec.quota().vmemUnits());
      System.out.println("  device_ms_per_frame is the time the backend's scheduler charged the session per frame "
          + "(what fGPU divides); batch_device_ms the ops and sync alone; frame_ms adds the transport.");
      if (verify && rec.quota().deviceFastEnough()) {
        StageProfiler.Contended c = profiler.verify(rec.quota().fgpu(), rec.quota().vmemUnits() + 1);
        boolean kept = c.fps() >= rec.targetFps() * 0.95;
        System.out.printf(Locale.ROOT, "%nverify: at fgpu=%.2f against a competitor with fgpu=%.2f saturating the device: "
            + "%.1f fps (target %.1f: %s), busy share %.3f, entitled %.3f%n", c.fgpu(), c.competitorFgpu(), c.fps(),
            rec.targetFps(), kept ? "kept" : "NOT kept", c.busyShare(), c.entitledShare());
        Table vt = new Table("stage", "fgpu", "competitor_fgpu", "frames", "fps", "target_fps", "kept", "busy_share",
            "entitled_share");
        vt.row(r.stage(), c.fgpu(), c.competitorFgpu(), c.frames(), f1(c.fps()), f1(rec.targetFps()), kept ? "yes" : "no",
            f3(c.busyShare()), f3(c.entitledShare()));
        Path v = ResultFiles.csv(out.folder("bench"), "vgpu-profile-" + r.stage() + "-verify");
        vt.writeCsv(v);
        System.out.println("wrote " + v);
      }
      Path csv = ResultFiles.csv(out.folder("bench"), "vgpu-profile-" + r.stage());
      t.writeCsv(csv);
      System.out.println("\nwrote " + csv);
      return 0;
    }
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
