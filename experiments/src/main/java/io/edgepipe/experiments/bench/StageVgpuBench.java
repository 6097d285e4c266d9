package io.edgepipe.experiments.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.ElementType;
import io.edgepipe.api.Float16;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.harness.ProcessRun;
import io.edgepipe.harness.ThreadCpu;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.LayerProcessor;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.remote.RemoteGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Local vs remote cost of the real stage layers ({@link Layers#create}, the code a stage runs):
 * for each stage of a pipeline spec and each frame size, the time per frame of
 * {@link GpuLayer#run} on a local device and on one or more remote vGPUs (e.g. the same backend
 * over a shared-memory link and inline), measured in the same run with the sides interleaved in
 * blocks (so drift on a busy machine hits all alike), and the round trips per frame remotely. The
 * payload is in the hop's element type; where it lies is the {@link Payload} of the config.
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

  /** Where a side's payloads lie, and so what a timed frame includes. */
  public enum Payload {
    /**
     * What a stage does with a frame handed over in one buffer (a hop in this JVM, a slot of a
     * same-host hop's ring): {@link LayerProcessor#processLending} on the frame, which receives the
     * payload into the device's host memory where that spares a copy (on a vGPU with a backend on
     * this host, a region of the shared-memory segment, the copy the client would make) and returns
     * the output where the device wrote it when it can lend it (the same segment), else in a fresh
     * heap buffer. A lent output is given back when the next frame comes, as a hop's custody gives
     * it back on the next hop's answer.
     */
    FRAME,
    /**
     * As FRAME, the payload scattered over direct buffers of {@link #WIRE_PIECE_BYTES} as a gRPC hop
     * parses it in place (one piece per HTTP/2 DATA frame): every side gathers it once.
     */
    WIRE,
    /** Input and output already in buffers of the side's {@link Gpu#hostBuffer}; only the layer is timed. */
    HOST;

    /** Bytes of one piece of a WIRE payload: HTTP/2's default largest DATA frame. */
    public static final int WIRE_PIECE_BYTES = 16 << 10;
  }

  /**
   * {@code frames} timed per side and size, split into {@code blocks} alternating blocks, after
   * {@code warmup} frames per side and, where {@code jitQuietSeconds} > 0, rounds of
   * {@value #QUIET_ROUND} frames on every side until the JIT compilers used at most
   * {@link ProcessRun#SETTLED_JIT_SHARE} of this process's CPU in one (the share at which
   * {@code bench pipeline --processes} calls its stages warm), for at most {@code jitQuietSeconds} a row.
   */
  public record Config(List<Size> sizes, int warmup, int frames, int blocks, Payload payload, int jitQuietSeconds) {
    public Config(List<Size> sizes, int warmup, int frames, int blocks) {
      this(sizes, warmup, frames, blocks, Payload.FRAME, 0);
    }

    public Config {
      if (sizes.isEmpty() || warmup < 0 || frames < 1 || blocks < 1 || blocks > frames || jitQuietSeconds < 0) {
        throw new IllegalArgumentException("need sizes, warm-up >= 0, frames >= 1, 1 <= blocks <= frames and JIT-quiet seconds >= 0");
      }
      sizes = List.copyOf(sizes);
    }
  }

  /**
   * One side of a row: the local device, or a remote vGPU over one kind of link. Times are the
   * min, median and max of per-frame times in ms; {@code cpuMs} is this process's CPU time per
   * frame while that side ran (all threads: for a remote side, client, transport and the loopback
   * backend together), a measure other load on the machine does not inflate the way it does
   * wall-clock time. Remote sides only: {@code deviceMs} is the backend's measured device time
   * per frame, {@code tripsPerFrame} the messages per frame (must be 1), {@code sharedPerFrame}
   * the payload bytes per frame that went through shared memory, {@code inPlacePerFrame} those of
   * them the backend read or wrote in the side's host buffers (no client copy), {@code sameOutput}
   * whether the output was bit-identical to the local one.
   */
  public record Side(String label, double minMs, double medianMs, double maxMs, double cpuMs, double deviceMs,
      double tripsPerFrame, long sharedPerFrame, long inPlacePerFrame, boolean sameOutput) {}

  /** One stage at one size: the local side and each remote side. */
  public record Row(String stage, String kind, Size size, DType inType, long inBytes, long outBytes, int frames,
      Side local, List<Side> remotes) {
    /** A remote side's median over the local median. */
    public double ratio(Side remote) {
      return remote.medianMs() / local.medianMs();
    }
  }

  /**
   * Frames per side in one round of the JIT-quiet warm-up. Why warm until the JIT is quiet: the
   * remote side runs more code than the local one (the client, the doorbell, and the loopback
   * backend, all in this JVM), so after a short fixed warm-up the compiler still works for it during
   * the timed frames, on the same two cores. Session 14, 720p, shm: 60 timed frames after 30 warm-up
   * gave 2.06x, 1.38x and 1.75x; 200 after 100 gave 1.12x, 1.28x and 1.32x, alternating.
   */
  public static final int QUIET_ROUND = 10;

  /** A remote vGPU to compare, under the name the tables use (e.g. "shm", "inline"). */
  public record Remote(String label, RemoteGpu gpu) {}

  private final Config config;
  private int quietWarmupFrames;

  public StageVgpuBench(Config config) {
    this.config = config;
  }

  /** Frames per side the JIT-quiet warm-up ran beyond {@code warmup}, the most of any row so far. */
  public int quietWarmupFrames() {
    return quietWarmupFrames;
  }

  /** Rounds on every side until one in which the JIT compilers were quiet (see {@link Config}). */
  private void warmUntilJitQuiet(List<Payloads> payloads, List<Tally> tallies) {
    long pid = ProcessHandle.current().pid();
    long deadline = System.nanoTime() + config.jitQuietSeconds() * 1_000_000_000L; // a busy host may never look quiet
    int frames = 0;
    double share = 1;
    while (share > ProcessRun.SETTLED_JIT_SHARE && System.nanoTime() < deadline) {
      List<ThreadCpu> before = List.of(ThreadCpu.of(pid));
      for (int side = 0; side < payloads.size(); side++) {
        for (int i = 0; i < QUIET_ROUND; i++) {
          tallies.get(side).out = payloads.get(side).run();
        }
      }
      frames += QUIET_ROUND;
      share = ThreadCpu.compilerShare(before, List.of(ThreadCpu.of(pid)));
    }
    quietWarmupFrames = Math.max(quietWarmupFrames, frames);
  }

  /** Every stage of {@code spec} at every size; {@code progress} sees each row as it is done. */
  public List<Row> run(PipelineSpec spec, Gpu local, List<Remote> remotes, Consumer<Row> progress) {
    List<Row> rows = new ArrayList<>();
    for (Size size : config.sizes()) {
      PipelineSpec sized = spec.withInput(size.height(), size.width());
      for (int i = 0; i < sized.layers().size(); i++) {
        Row r = runOne(sized, i, size, local, remotes);
        rows.add(r);
        progress.accept(r);
      }
    }
    return rows;
  }

  /** Per-side measurements of one row, accumulated block by block. */
  private static final class Tally {
    final double[] ms;
    long cpu;
    long trips;
    long busy;
    long shared;
    long inPlace;
    ByteBuffer out;

    Tally(int frames) {
      ms = new double[frames];
    }
  }

  /**
   * Stage {@code index} of {@code spec} (already sized) on the local device and on each remote,
   * the sides taking turns in blocks (so drift on a busy machine hits all alike).
   */
  public Row runOne(PipelineSpec spec, int index, Size size, Gpu local, List<Remote> remotes) {
    LayerSpec layerSpec = spec.layers().get(index);
    TensorShape shape = spec.shapes().get(index);
    DType type = spec.hopTypes().get(index);
    byte[] bytes = payload(shape, type, 31L * index + size.width());
    Frame frame = Frame.newBuilder().setDtype(type).setShape(shape.toProto())
        .setData(config.payload() == Payload.WIRE ? scattered(bytes) : ByteString.copyFrom(bytes)).build();
    List<Gpu> devices = new ArrayList<>();
    devices.add(local);
    remotes.forEach(r -> devices.add(r.gpu()));
    List<GpuLayer> layers = new ArrayList<>();
    List<Payloads> payloads = new ArrayList<>();
    try {
      for (Gpu d : devices) {
        GpuLayer l = Layers.create(layerSpec, shape, d);
        layers.add(l);
        payloads.add(new Payloads(d, l, frame, config.payload() == Payload.HOST));
      }
      List<Tally> tallies = new ArrayList<>();
      for (int side = 0; side < layers.size(); side++) {
        Tally t = new Tally(config.frames());
        for (int i = 0; i < config.warmup(); i++) {
          t.out = payloads.get(side).run();
        }
        tallies.add(t);
      }
      if (config.jitQuietSeconds() > 0) {
        warmUntilJitQuiet(payloads, tallies);
      }
      int done = 0;
      for (int b = 0; b < config.blocks(); b++) {
        int n = (config.frames() - done) / (config.blocks() - b);
        for (int side = 0; side < layers.size(); side++) {
          Tally t = tallies.get(side);
          RemoteGpu remote = side == 0 ? null : remotes.get(side - 1).gpu();
          long trips0 = remote == null ? 0 : remote.roundTrips();
          long busy0 = remote == null ? 0 : remote.deviceBusyNanos();
          long shared0 = remote == null ? 0 : remote.bytesShared();
          long inPlace0 = remote == null ? 0 : remote.bytesInPlace();
          long c0 = processCpuNanos();
          for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            t.out = payloads.get(side).run();
            t.ms[done + i] = (System.nanoTime() - t0) / 1e6;
          }
          t.cpu += processCpuNanos() - c0;
          if (remote != null) {
            t.trips += remote.roundTrips() - trips0;
            t.busy += remote.deviceBusyNanos() - busy0;
            t.shared += remote.bytesShared() - shared0;
            t.inPlace += remote.bytesInPlace() - inPlace0;
          }
        }
        done += n;
      }
      int f = config.frames();
      Side localSide = side("local", tallies.get(0), f, null, true);
      List<Side> remoteSides = new ArrayList<>();
      for (int i = 0; i < remotes.size(); i++) {
        Tally t = tallies.get(i + 1);
        boolean same = t.out != null && tallies.get(0).out != null && t.out.equals(tallies.get(0).out);
        remoteSides.add(side(remotes.get(i).label(), t, f, t, same));
      }
      TensorShape outShape = layers.get(0).outputShape(shape);
      return new Row(layerSpec.name(), layerSpec.kind(), size, type,
          shape.elements() * ElementType.sizeOf(type), outShape.elements() * ElementType.sizeOf(layerSpec.outputType()),
          f, localSide, remoteSides);
    } finally {
      payloads.forEach(Payloads::close);
      layers.forEach(GpuLayer::close);
    }
  }

  /**
   * One side's frame: run by the stage's processor ({@link Payload#FRAME}, {@link Payload#WIRE}),
   * or its payload in a host buffer of the side's device and the output written into another
   * ({@link Payload#HOST}).
   */
  private static final class Payloads implements AutoCloseable {
    private final Gpu gpu;
    private final GpuLayer layer;
    private final Frame frame;
    private final LayerProcessor processor;
    private final ByteBuffer in;
    private final ByteBuffer out;
    private Frame lastOut; // the processor's last output, held as the next hop holds it until it answers

    Payloads(Gpu gpu, GpuLayer layer, Frame frame, boolean hostBuffers) {
      this.gpu = gpu;
      this.layer = layer;
      this.frame = frame;
      if (hostBuffers) {
        processor = null;
        in = gpu.hostBuffer(frame.getData().size());
        frame.getData().copyTo(in.duplicate());
        out = gpu.hostBuffer(layer.outputBytes(layer.outputShape(TensorShape.of(frame.getShape()))));
      } else {
        processor = new LayerProcessor(layer, null);
        in = null;
        out = null;
      }
    }

    /** One frame through the side; its output, little-endian. */
    ByteBuffer run() {
      if (processor != null) {
        if (lastOut != null) {
          processor.outputDone(lastOut);
        }
        lastOut = processor.processLending(frame).build();
        return lastOut.getData().asReadOnlyByteBuffer();
      }
      return layer.run(in.duplicate(), frame.getDtype(), TensorShape.of(frame.getShape()), out.duplicate());
    }

    @Override
    public void close() {
      if (processor != null) {
        if (lastOut != null) {
          processor.outputDone(lastOut); // compared already
        }
        processor.close(); // gives back what it received into, and closes the layer
      } else {
        gpu.freeHost(in);
        gpu.freeHost(out);
      }
    }
  }

  /** {@code bytes} as a gRPC hop's in-place parse leaves them: a rope over direct buffers, one per DATA frame. */
  static ByteString scattered(byte[] bytes) {
    ByteBuffer all = ByteBuffer.allocateDirect(bytes.length);
    all.put(bytes).flip();
    List<ByteString> pieces = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += Payload.WIRE_PIECE_BYTES) {
      pieces.add(UnsafeByteOperations.unsafeWrap(all.slice(at, Math.min(Payload.WIRE_PIECE_BYTES, bytes.length - at))));
    }
    return ByteString.copyFrom(pieces);
  }

  private static Side side(String label, Tally t, int frames, Tally remote, boolean same) {
    Spread ms = Spread.of(t.ms);
    return new Side(label, ms.min(), ms.median(), ms.max(), t.cpu / 1e6 / frames,
        remote == null ? Double.NaN : remote.busy / 1e6 / frames,
        remote == null ? Double.NaN : (double) remote.trips / frames, remote == null ? 0 : remote.shared / frames,
        remote == null ? 0 : remote.inPlace / frames, same);
  }

  /** Geometric mean of the rows' remote/local ratios for the remote side {@code label} (NaN for none). */
  public static double geomeanRatio(List<Row> rows, String label) {
    return geomean(rows, label, (r, s) -> r.ratio(s));
  }

  /** As {@link #geomeanRatio} for CPU time per frame. */
  public static double geomeanCpuRatio(List<Row> rows, String label) {
    return geomean(rows, label, (r, s) -> s.cpuMs() / r.local().cpuMs());
  }

  private static double geomean(List<Row> rows, String label, java.util.function.ToDoubleBiFunction<Row, Side> ratio) {
    double logSum = 0;
    int n = 0;
    for (Row r : rows) {
      for (Side s : r.remotes()) {
        if (s.label().equals(label)) {
          logSum += Math.log(ratio.applyAsDouble(r, s));
          n++;
        }
      }
    }
    return n == 0 ? Double.NaN : Math.exp(logSum / n);
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
