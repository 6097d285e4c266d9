package io.edgepipe.experiments.bench;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.MemoryBandwidth;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Each layer's kernel alone on a device, against the memory bandwidth it must use: the stage's
 * own layer ({@link Layers#create}, launched through {@link GpuLayer#launchOn}, so the kernel
 * and launch geometry are the stage's), on f32 buffers already on the device, with no host
 * copies or element-type conversions in the timed loop.
 *
 * <p>Two timings per layer, after a warm-up: each launch followed by a synchronize, timed one by
 * one (min/median/max; this includes the launch and synchronize round trip, tens of microseconds
 * on a GPU, which a 720p kernel of a few microseconds does not hide), and the same number of
 * launches queued back to back with one synchronize at the end, per launch, the median of
 * {@value #BATCHES} such batches (the GPU runs them one after another, so this is close to the
 * kernel's own time). Achieved bandwidth is the {@link Traffic} a launch
 * must move at least over each time.
 *
 * <p>Launches cycle through as many input/output buffer sets as fill {@code rotateBytes} of
 * device memory, so that a launch does not find its buffers in a cache the previous one warmed:
 * at 1280x720 a set is 4-8 MB, which fits a large GPU's L2 (H100: 50 MB) and would measure the
 * cache instead of device memory.
 */
public final class GpuKernelBench {
  /** Fewest timed iterations: a median of fewer says little. */
  public static final int MIN_ITERATIONS = 20;
  /** Untimed launches first (module load, JIT compile of the PTX or of the cpu twins), at least. */
  public static final int WARMUP = 10;
  /**
   * And at least this long warming: on the cpu device 10 launches left the maxpool twin interpreted,
   * so the first timing read 6 ms per launch and the second, 100 launches later, 0.4.
   */
  static final long WARMUP_NANOS = 1_000_000_000L;
  /**
   * Batches of back-to-back launches: each gives one mean per launch, and the median of them is
   * reported, so that one batch a busy host descheduled does not decide it.
   */
  public static final int BATCHES = 5;

  /** The least a launch moves through device memory: input read once, output written once, constants read once. */
  public record Traffic(long inputBytes, long outputBytes, long constantBytes) {
    /** For f32 tensors of these shapes and {@code constantBytes} of weights. */
    public static Traffic of(TensorShape in, TensorShape out, long constantBytes) {
      return new Traffic(in.elements() * Float.BYTES, out.elements() * Float.BYTES, constantBytes);
    }

    public long total() {
      return inputBytes + outputBytes + constantBytes;
    }

    /** Bytes per second when a launch takes {@code ms}. */
    public double bytesPerSecond(double ms) {
      return total() / (ms / 1e3);
    }
  }

  /**
   * One layer: {@code synced} the launch+synchronize times (ms), {@code backToBackMs} the time
   * per launch queued back to back (median of the batches' means), {@code sets} the buffer sets
   * the launches cycled through.
   */
  public record Row(String stage, String kind, TensorShape in, TensorShape out, Traffic traffic, int iterations,
      int sets, Spread synced, double backToBackMs) {
    /** Achieved bytes per second at the median launch+synchronize time. */
    public double bytesPerSecond() {
      return traffic.bytesPerSecond(synced.median());
    }

    public double backToBackBytesPerSecond() {
      return traffic.bytesPerSecond(backToBackMs);
    }

    /** {@code achieved} over the device's peak; NaN when the peak is unknown. */
    public static double fractionOf(double achieved, MemoryBandwidth peak) {
      return peak.known() ? achieved / peak.bytesPerSecond() : Double.NaN;
    }
  }

  private final int iterations;
  private final long rotateBytes;

  /**
   * @param iterations timed launches per layer and timing, at least {@value #MIN_ITERATIONS}
   * @param rotateBytes device memory the launches' buffer sets fill together (at least one set)
   */
  public GpuKernelBench(int iterations, long rotateBytes) {
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be at least " + MIN_ITERATIONS + ", got " + iterations);
    }
    if (rotateBytes < 0) {
      throw new IllegalArgumentException("rotateBytes must be >= 0, got " + rotateBytes);
    }
    this.iterations = iterations;
    this.rotateBytes = rotateBytes;
  }

  /** Every layer of {@code spec} (already at the frame size wanted) on {@code gpu}; {@code progress} sees each row. */
  public List<Row> run(PipelineSpec spec, Gpu gpu, Consumer<Row> progress) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < spec.layers().size(); i++) {
      Row r = runOne(spec.layers().get(i), spec.shapes().get(i), gpu, 101L * i + 7);
      rows.add(r);
      progress.accept(r);
    }
    return rows;
  }

  /** How many buffer sets of {@code setBytes} fill {@code rotateBytes}: at least one. */
  static int sets(long setBytes, long rotateBytes) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (rotateBytes + setBytes - 1) / setBytes));
  }

  private Row runOne(LayerSpec layerSpec, TensorShape shape, Gpu gpu, long seed) {
    List<DevicePtr> ins = new ArrayList<>();
    List<DevicePtr> outs = new ArrayList<>();
    try (GpuLayer layer = Layers.create(layerSpec, shape, gpu)) {
      TensorShape outShape = layer.outputShape(shape);
      Traffic traffic = Traffic.of(shape, outShape, layer.constantBytes());
      ByteBuffer input = ByteBuffer.allocateDirect(Math.toIntExact(traffic.inputBytes())).order(ByteOrder.LITTLE_ENDIAN);
      input.put(StageVgpuBench.payload(shape, DType.F32, seed)).flip();
      int sets = sets(traffic.inputBytes() + traffic.outputBytes(), rotateBytes);
      for (int s = 0; s < sets; s++) {
        ins.add(gpu.malloc(traffic.inputBytes()));
        outs.add(gpu.malloc(traffic.outputBytes()));
        gpu.copyHtoD(ins.get(s), input.duplicate());
      }
      long warmStart = System.nanoTime();
      for (int i = 0; i < WARMUP || System.nanoTime() - warmStart < WARMUP_NANOS; i++) {
        layer.launchOn(ins.get(i % sets), outs.get(i % sets), shape);
        gpu.synchronize();
      }
      double[] ms = new double[iterations];
      for (int i = 0; i < iterations; i++) {
        int s = i % sets;
        long t0 = System.nanoTime();
        layer.launchOn(ins.get(s), outs.get(s), shape);
        gpu.synchronize();
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      double[] batches = new double[BATCHES];
      for (int b = 0; b < BATCHES; b++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          layer.launchOn(ins.get(i % sets), outs.get(i % sets), shape);
        }
        gpu.synchronize();
        batches[b] = (System.nanoTime() - t0) / 1e6 / iterations;
      }
      double backToBack = Spread.of(batches).median();
      return new Row(layerSpec.name(), layerSpec.kind(), shape, outShape, traffic, iterations, sets,
          Spread.of(ms), backToBack);
    } finally {
      ins.forEach(gpu::free);
      outs.forEach(gpu::free);
    }
  }
}
