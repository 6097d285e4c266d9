package io.edgepipe.vgpu.bench;

import io.edgepipe.kernels.ConvWeights;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.remote.RemoteGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * Local vs remote cost of the project's kernel sequence, per frame size: a BGR u8 frame (HWC) is
 * uploaded, converted to f32 CHW, convolved (k x k, stride 1, same padding), ReLU'd in place,
 * max-pooled 2x2/2 and downloaded, with one synchronize per frame, exactly as a stage does it. On
 * a remote vGPU that is one round trip per frame; the bench reports ms/frame and measured round
 * trips per frame, and a CRC of the last output so that devices can be checked against each other.
 *
 * <pre>
 *   List&lt;VgpuBench.Result&gt; r = new VgpuBench(VgpuBench.Config.DEFAULT).run(Map.of(
 *       "cpu", CpuGpu::new,
 *       "vgpu", () -&gt; Devices.open("vgpu://gpu-server:50100?tenant=edge1")));
 *   System.out.print(VgpuBench.table(r));
 * </pre>
 */
public final class VgpuBench {
  /** A frame size (pixels); frames have 3 channels. */
  public record Size(int width, int height) {
    @Override
    public String toString() {
      return width + "x" + height;
    }
  }

  /** Sizes to run, frames per size (after warm-up), and the conv layer's shape. */
  public record Config(List<Size> sizes, int warmupFrames, int frames, int convOut, int kernel, long seed) {
    public static final Config DEFAULT = new Config(
        List.of(new Size(320, 240), new Size(640, 480), new Size(1280, 720)), 3, 20, 8, 3, 42);

    public Config {
      if (sizes.isEmpty() || warmupFrames < 0 || frames < 1 || convOut < 1 || kernel < 1 || kernel % 2 == 0) {
        throw new IllegalArgumentException("bench needs sizes, frames >= 1, warm-up >= 0, convOut >= 1 and an odd kernel");
      }
      sizes = List.copyOf(sizes);
    }
  }

  /**
   * One row: a device at a frame size. {@code msPerFrame} is wall-clock as the caller sees it;
   * {@code deviceMsPerFrame} is the device time the backend measured (remote devices only) and
   * {@code roundTripsPerFrame} the messages per frame (remote only; NaN for local devices).
   * {@code deviceBytes} is the device memory the chain holds; {@code outputCrc} the CRC-32 of the
   * last frame's output bytes.
   */
  public record Result(String device, Size size, int frames, double msPerFrame, double deviceMsPerFrame,
      double roundTripsPerFrame, long bytesUpPerFrame, long bytesDownPerFrame, long deviceBytes, long outputCrc) {

    /** The quota this chain needs at {@code fps} (device time known for remote devices only). */
    public QuotaAdvisor.Quota quotaFor(double fps) {
      double ms = Double.isNaN(deviceMsPerFrame) ? msPerFrame : deviceMsPerFrame;
      return QuotaAdvisor.recommend(ms * 1e6, fps, deviceBytes, 1.2);
    }
  }

  private final Config config;

  public VgpuBench(Config config) {
    this.config = config;
  }

  /** Runs every size on every device (each device opened once and closed at the end). */
  public List<Result> run(Map<String, Supplier<Gpu>> devices) {
    List<Result> out = new ArrayList<>();
    for (Map.Entry<String, Supplier<Gpu>> d : new LinkedHashMap<>(devices).entrySet()) {
      try (Gpu gpu = d.getValue().get()) {
        for (Size s : config.sizes()) {
          out.add(runOne(d.getKey(), gpu, s));
        }
      }
    }
    return out;
  }

  /** Runs one size on an open device. */
  public Result runOne(String label, Gpu gpu, Size size) {
    try (Chain chain = new Chain(gpu, size)) {
      for (int i = 0; i < config.warmupFrames(); i++) {
        chain.frame();
      }
      RemoteGpu remote = gpu instanceof RemoteGpu r ? r : null;
      long trips0 = remote == null ? 0 : remote.roundTrips();
      long busy0 = remote == null ? 0 : remote.deviceBusyNanos();
      long t0 = System.nanoTime();
      for (int i = 0; i < config.frames(); i++) {
        chain.frame();
      }
      long dt = System.nanoTime() - t0;
      int n = config.frames();
      double trips = remote == null ? Double.NaN : (double) (remote.roundTrips() - trips0) / n;
      double deviceMs = remote == null ? Double.NaN : (remote.deviceBusyNanos() - busy0) / 1e6 / n;
      CRC32 crc = new CRC32();
      crc.update(chain.output.duplicate());
      return new Result(label, size, n, dt / 1e6 / n, deviceMs, trips, chain.input.capacity(),
          chain.output.capacity(), chain.deviceBytes, crc.getValue());
    }
  }

  /** A plain-text table of results. */
  public static String table(List<Result> results) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-10s %-10s %7s %10s %10s %12s %12s %12s %9s%n",
        "device", "size", "frames", "ms/frame", "device ms", "trips/frame", "up B/frame", "down B/frame", "dev MiB"));
    for (Result r : results) {
      s.append(String.format(Locale.ROOT, "%-10s %-10s %7d %10.3f %10s %12s %12d %12d %9.1f%n", r.device(), r.size(),
          r.frames(), r.msPerFrame(), dash(r.deviceMsPerFrame(), "%.3f"), dash(r.roundTripsPerFrame(), "%.2f"),
          r.bytesUpPerFrame(), r.bytesDownPerFrame(), r.deviceBytes() / 1048576.0));
    }
    return s.toString();
  }

  private static String dash(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  /** Device buffers, weights and host frames for one size; one {@link #frame()} = one frame. */
  private final class Chain implements AutoCloseable {
    final Gpu gpu;
    final int w;
    final int h;
    final int c = 3;
    final int oh;
    final int ow;
    final ByteBuffer input;
    final ByteBuffer output;
    final List<DevicePtr> ptrs = new ArrayList<>();
    long deviceBytes;
    final DevicePtr dIn;
    final DevicePtr dF32;
    final DevicePtr dConv;
    final DevicePtr dPool;
    final DevicePtr dW;
    final DevicePtr dB;
    final GpuFunction toF32;
    final GpuFunction conv;
    final GpuFunction relu;
    final GpuFunction pool;

    Chain(Gpu gpu, Size size) {
      this.gpu = gpu;
      this.w = size.width();
      this.h = size.height();
      this.oh = (h - 2) / 2 + 1;
      this.ow = (w - 2) / 2 + 1;
      int k = config.kernel();
      int cout = config.convOut();
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      toF32 = gpu.function(m, KernelCatalog.BGR_U8_HWC_TO_F32_CHW);
      conv = gpu.function(m, KernelCatalog.CONV2D_F32);
      relu = gpu.function(m, KernelCatalog.RELU_F32);
      pool = gpu.function(m, KernelCatalog.MAXPOOL_F32);
      long px = (long) w * h;
      dIn = alloc(px * c);
      dF32 = alloc(px * c * 4);
      dConv = alloc(px * cout * 4);
      dPool = alloc((long) oh * ow * cout * 4);
      ConvWeights weights = ConvWeights.generate(config.seed(), cout, c, k);
      dW = alloc(4L * weights.weights().length);
      dB = alloc(4L * cout);
      gpu.copyHtoD(dW, f32(weights.weights()));
      gpu.copyHtoD(dB, f32(weights.bias()));
      // direct buffers: what a stage reading frames off the wire would hand the device
      input = ByteBuffer.allocateDirect(Math.toIntExact(px * c));
      SplittableRandom r = new SplittableRandom(config.seed());
      for (int i = 0; i < input.capacity(); i++) {
        input.put(i, (byte) r.nextInt(256));
      }
      output = ByteBuffer.allocateDirect(Math.toIntExact((long) oh * ow * cout * 4)).order(ByteOrder.LITTLE_ENDIAN);
    }

    void frame() {
      int k = config.kernel();
      int cout = config.convOut();
      Dim3 block = Dim3.of(KernelCatalog.BLOCK);
      long px = (long) w * h;
      gpu.copyHtoDAsync(dIn, input);
      gpu.launch(toF32, KernelCatalog.gridFor(px * c), block, KernelArgs.of().ptr(dIn).ptr(dF32).i32(h).i32(w).i32(c));
      gpu.launch(conv, KernelCatalog.gridFor(px * cout), block, KernelArgs.of().ptr(dF32).ptr(dW).ptr(dB).ptr(dConv)
          .i32(c).i32(h).i32(w).i32(cout).i32(k).i32(1).i32(k / 2).i32(h).i32(w));
      gpu.launch(relu, KernelCatalog.gridFor(px * cout), block, KernelArgs.of().ptr(dConv).ptr(dConv).i32((int) (px * cout)));
      gpu.launch(pool, KernelCatalog.gridFor((long) oh * ow * cout), block, KernelArgs.of().ptr(dConv).ptr(dPool)
          .i32(cout).i32(h).i32(w).i32(2).i32(2).i32(oh).i32(ow));
      gpu.copyDtoHAsync(output, dPool);
      gpu.synchronize();
    }

    private DevicePtr alloc(long bytes) {
      DevicePtr p = gpu.malloc(bytes);
      deviceBytes += bytes;
      ptrs.add(p);
      return p;
    }

    private ByteBuffer f32(float[] v) {
      ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(v);
      return b;
    }

    @Override
    public void close() {
      for (DevicePtr p : ptrs) {
        gpu.free(p);
      }
    }
  }
}
