package io.edgepipe.experiments.bench;

import com.google.protobuf.ByteString;
import io.edgepipe.api.ElementType;
import io.edgepipe.api.Float16;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.remote.RemoteGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Local vs remote cost of the real stage layers ({@link Layers#create}, the code a stage runs):
 * for each stage of a pipeline spec and each frame size, the time per frame of
 * {@link GpuLayer#run} on a local device and on a remote vGPU, measured in the same run with the
 * two sides interleaved in blocks (so drift on a busy machine hits both alike), and the round trips
 * per frame on the remote side. The payload is what a stage is handed: a read-only view of the
 * frame's bytes, in the hop's element type.
 */
public final class StageVgpuBench {
  /** A frame size (pixels). */
  public record Size(int width, int height) {
    public static Size parse(String s) {
      String[] wh = s.trim().toLowerCase().split("x");
      if (wh.length != 2) {
        throw new IllegalArgumentException("bad size '" + s + "': expected WxH, e.g. 1280x720");
      }
      try {
        return new Size(Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad size '" + s + "': expected WxH, e.g. 1280x720");
      }
    }

    @Override
    public String toString() {
      return width + "x" + height;
    }
  }

  /** {@code frames} timed per side and size, split into {@code blocks} alternating blocks. */
  public record Config(List<Size> sizes, int warmup, int frames, int blocks) {
    public Config {
      if (sizes.isEmpty() || warmup < 0 || frames < 1 || blocks < 1 || blocks > frames) {
        throw new IllegalArgumentException("need sizes, warm-up >= 0, frames >= 1 and 1 <= blocks <= frames");
      }
      sizes = List.copyOf(sizes);
    }
  }

  /**
   * One row. Times are medians of per-frame times in ms; {@code deviceMs} is the remote backend's
   * measured device time per frame; {@code tripsPerFrame} counts remote messages per frame (must
   * be 1); {@code sameOutput} says the two outputs were bit-identical. {@code localCpuMs} and
   * {@code remoteCpuMs} are this process's CPU time per frame on each side (all threads: for the
   * remote side that is client, transport and the loopback backend together), a measure that
   * other load on the machine does not inflate the way it does wall-clock time.
   */
  public record Row(String stage, String kind, Size size, DType inType, long inBytes, long outBytes, int frames,
      double localMs, double remoteMs, double deviceMs, double tripsPerFrame, boolean sameOutput,
      double localCpuMs, double remoteCpuMs) {
    public double ratio() {
      return remoteMs / localMs;
    }
  }

  private final Config config;

  public StageVgpuBench(Config config) {
    this.config = config;
  }

  /** Every stage of {@code spec} at every size; {@code progress} sees each row as it is done. */
  public List<Row> run(PipelineSpec spec, Gpu local, RemoteGpu remote, Consumer<Row> progress) {
    List<Row> rows = new ArrayList<>();
    for (Size size : config.sizes()) {
      PipelineSpec sized = spec.withInput(size.height(), size.width());
      for (int i = 0; i < sized.layers().size(); i++) {
        Row r = runOne(sized, i, size, local, remote);
        rows.add(r);
        progress.accept(r);
      }
    }
    return rows;
  }

  /** Stage {@code index} of {@code spec} (already sized) on both devices. */
  public Row runOne(PipelineSpec spec, int index, Size size, Gpu local, RemoteGpu remote) {
    LayerSpec layerSpec = spec.layers().get(index);
    TensorShape shape = spec.shapes().get(index);
    DType type = spec.hopTypes().get(index);
    // what LayerProcessor hands the layer: a read-only view of the frame's payload ByteString
    ByteString frame = ByteString.copyFrom(payload(shape, type, 31L * index + size.width()));
    GpuLayer onLocal = Layers.create(layerSpec, shape, local);
    GpuLayer onRemote = Layers.create(layerSpec, shape, remote);
    try {
      ByteBuffer outLocal = null;
      ByteBuffer outRemote = null;
      for (int i = 0; i < config.warmup(); i++) {
        outLocal = onLocal.run(frame.asReadOnlyByteBuffer(), type, shape);
        outRemote = onRemote.run(frame.asReadOnlyByteBuffer(), type, shape);
      }
      double[] localMs = new double[config.frames()];
      double[] remoteMs = new double[config.frames()];
      long trips = 0;
      long busy = 0;
      long localCpu = 0;
      long remoteCpu = 0;
      int done = 0;
      for (int b = 0; b < config.blocks(); b++) {
        int n = (config.frames() - done) / (config.blocks() - b);
        long c0 = processCpuNanos();
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          outLocal = onLocal.run(frame.asReadOnlyByteBuffer(), type, shape);
          localMs[done + i] = (System.nanoTime() - t0) / 1e6;
        }
        long c1 = processCpuNanos();
        long trips0 = remote.roundTrips();
        long busy0 = remote.deviceBusyNanos();
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          outRemote = onRemote.run(frame.asReadOnlyByteBuffer(), type, shape);
          remoteMs[done + i] = (System.nanoTime() - t0) / 1e6;
        }
        long c2 = processCpuNanos();
        localCpu += c1 - c0;
        remoteCpu += c2 - c1;
        trips += remote.roundTrips() - trips0;
        busy += remote.deviceBusyNanos() - busy0;
        done += n;
      }
      boolean same = outLocal != null && outRemote != null && outLocal.equals(outRemote);
      TensorShape outShape = onLocal.outputShape(shape);
      return new Row(layerSpec.name(), layerSpec.kind(), size, type,
          shape.elements() * ElementType.sizeOf(type), outShape.elements() * ElementType.sizeOf(layerSpec.outputType()),
          config.frames(), median(localMs), median(remoteMs), busy / 1e6 / config.frames(),
          (double) trips / config.frames(), same, localCpu / 1e6 / config.frames(), remoteCpu / 1e6 / config.frames());
    } finally {
      onLocal.close();
      onRemote.close();
    }
  }

  /** Geometric mean of the rows' remote/local ratios (NaN for no rows). */
  public static double geomeanRatio(List<Row> rows) {
    if (rows.isEmpty()) {
      return Double.NaN;
    }
    double logSum = 0;
    for (Row r : rows) {
      logSum += Math.log(r.ratio());
    }
    return Math.exp(logSum / rows.size());
  }

  /**
   * CPU time of this process's live threads so far (nanosecond resolution: the process-wide
   * counter ticks in scheduler jiffies, too coarse for a block of small frames).
   */
  static long processCpuNanos() {
    java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : tm.getAllThreadIds()) {
      long t = tm.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Camera-like values in the hop's element type, little-endian CHW. */
  public static byte[] payload(TensorShape shape, DType type, long seed) {
    int n = Math.toIntExact(shape.elements());
    ByteBuffer b = ByteBuffer.allocate(n * ElementType.sizeOf(type)).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case U8 -> b.put((byte) random.nextInt(256));
        case F16 -> b.putShort(Float16.fromFloat((float) (random.nextDouble() * 2 - 1)));
        default -> b.putFloat((float) (random.nextDouble() * 2 - 1));
      }
    }
    return b.array();
  }
}
