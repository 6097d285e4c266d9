package io.edgepipe.cli.vgpu;

import io.edgepipe.cli.report.ResultFiles;
import io.edgepipe.cli.report.Table;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.bench.QuotaAdvisor;
import io.edgepipe.vgpu.bench.VgpuBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline bench vgpu}: the kernel chain on a local device vs a remote vGPU, per frame size. */
@Command(name = "vgpu", mixinStandardHelpOptions = true,
    description = {"The kernel chain (upload, to-f32, conv, relu, maxpool, download; one sync per frame) on a "
        + "local device vs a remote vGPU: ms/frame and round trips/frame per frame size.",
        "For the remote rows it also recommends the fGPU and vMemory that sustain --fps (gEdge's profile-guided "
        + "sizing: run it with fgpu=1 on an idle backend)."})
public final class VgpuBenchCommand implements Callable<Integer> {
  @Option(names = "--backend", required = true, paramLabel = "SPEC",
      description = "Remote vGPU, e.g. vgpu://gpu-server:50100?tenant=edge1 (token from $" + Devices.TOKEN_ENV + ").")
  String backend;

  @Option(names = "--local", defaultValue = "auto", description = "Local device to compare with (default: ${DEFAULT-VALUE}).")
  String local;

  @Option(names = "--sizes", split = ",", defaultValue = "320x240,640x480,1280x720",
      description = "Frame sizes WxH (default: ${DEFAULT-VALUE}).")
  List<String> sizes;

  @Option(names = "--frames", defaultValue = "20", description = "Timed frames per size (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--fps", defaultValue = "30",
      description = "Frame rate for the quota recommendation (default: ${DEFAULT-VALUE}).")
  double fps;

  @Option(names = "--results", defaultValue = "results/bench", description = "Where the CSV goes (default: ${DEFAULT-VALUE}).")
  Path resultsDir;

  @Override
  public Integer call() {
    List<VgpuBench.Size> parsed = new ArrayList<>();
    for (String s : sizes) {
      String[] wh = s.trim().toLowerCase().split("x");
      if (wh.length != 2) {
        throw new IllegalArgumentException("bad size '" + s + "': expected WxH, e.g. 640x480");
      }
      parsed.add(new VgpuBench.Size(Integer.parseInt(wh[0]), Integer.parseInt(wh[1])));
    }
    VgpuBench.Config cfg = new VgpuBench.Config(parsed, 3, frames, VgpuBench.Config.DEFAULT.convOut(),
        VgpuBench.Config.DEFAULT.kernel(), VgpuBench.Config.DEFAULT.seed());
    Map<String, Supplier<Gpu>> devices = new LinkedHashMap<>();
    devices.put("local", () -> Devices.open(local));
    devices.put("remote", () -> Devices.open(backend));
    List<VgpuBench.Result> results = new VgpuBench(cfg).run(devices);
    Table t = new Table("device", "size", "frames", "ms_per_frame", "device_ms_per_frame", "round_trips_per_frame",
        "up_bytes", "down_bytes", "device_MiB", "output_crc", "fgpu_at_fps", "vmem_units");
    for (VgpuBench.Result r : results) {
      boolean remote = !Double.isNaN(r.deviceMsPerFrame());
      QuotaAdvisor.Quota q = r.quotaFor(fps);
      t.row(r.device(), r.size(), r.frames(), String.format("%.3f", r.msPerFrame()),
          remote ? String.format("%.3f", r.deviceMsPerFrame()) : "-",
          remote ? String.format("%.2f", r.roundTripsPerFrame()) : "-",
          r.bytesUpPerFrame(), r.bytesDownPerFrame(), String.format("%.1f", r.deviceBytes() / 1048576.0),
          Long.toHexString(r.outputCrc()),
          remote ? (q.deviceFastEnough() ? String.format("%.2f", q.fgpu()) : ">1 (too slow)") : "-",
          remote ? q.vmemUnits() : "-");
    }
    t.print(System.out);
    Path csv = ResultFiles.csv(resultsDir, "vgpu");
    t.writeCsv(csv);
    System.out.println("\nwrote " + csv);
    return 0;
  }
}
