package io.edgepipe.models.plan;

import io.edgepipe.api.ProcessCpuClock;
import io.edgepipe.models.exec.ModelInput;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.graph.Step;
import io.edgepipe.vgpu.Gpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Times every layer of a model alone on one device, as Neurosurgeon profiles a network: each
 * layer is a partition of its own (its inputs copied in, launched, its outputs copied back,
 * one synchronisation), fed with the real tensors the layers before it computed from one
 * picture. The first layer's time includes the picture's preprocessing (resize, layout,
 * normalisation), which the first service does. Also times the whole model as one partition, so
 * the sum of the layers can be compared with it (the per-layer copies make the sum larger).
 *
 * <p>Settled ({@code settle}): the whole model's warm-up, on the whole model alone, goes on past its
 * rounds until the JIT has stopped compiling and the whole model stopped getting faster
 * ({@link WarmupSettle}), since a running service is timed warm. Then the whole model runs back
 * to back, as a service runs it, for its wall time per frame and for the CPU its threads spend per
 * frame (every thread: the kernels run on the caller and the pool's threads, so on a node with
 * idle cores a frame costs more CPU than its wall time, and a CPU quota is charged the CPU). The
 * model's threads' own CPU ({@link ModelThreadsCpu}) is kept beside it: on the testbed it was
 * 40-60% of the process's, yet plans charging only it under-charged the edge (BlazeFace all-edge
 * 125 fps predicted, 92-99 measured; 76 with the process's), whose chain also runs the producer,
 * the sink, gRPC and the GC. The layers come after, warmed the same way.
 */
public final class LayerProfiler {
  /**
   * The back-to-back phase lasts at least this long when settled: the process's CPU clock ticks in 10 ms.
   */
  static final long CPU_PHASE_NANOS = 1_000_000_000L;
  /** ... and at most this many frames. */
  static final int CPU_PHASE_MAX_FRAMES = 20_000;

  private LayerProfiler() {}

  /** One layer's time per frame (milliseconds) and what leaves the cut after it. */
  public record LayerTime(int index, String node, String op, double medianMs, double p95Ms, long bytesAfter) {}

  /**
   * @param layers        per layer, in run order
   * @param wholeMedianMs the whole model as one partition run back to back, median ms per frame (preprocessing
   *                      included)
   * @param inputBytes    the picture frame the producer sends (3 x H x W u8)
   * @param wholeP10Ms    the whole model's 10th percentile
   * @param wholeCpuMs    the process's CPU per frame while the whole model ran back to back (all threads, JIT and GC
   *                      included: a running service pays its GC, and its producer's and sink's work on the edge,
   *                      which this stands in for), ms of one core; NaN where not measured (not settled)
   * @param warmupRounds  the whole model's rounds before its timed ones (kept profiles: layer rounds too)
   * @param settling      the blocks of rounds the whole model's warm-up ran past its {@code warmup} rounds until it
   *                      settled
   * @param wholeModelThreadsCpuMs the CPU per frame of only the threads that ran the model in the same window
   *                      ({@link ModelThreadsCpu}); printed for comparison, not used by plans; NaN where not measured
   */
  public record Result(List<LayerTime> layers, double wholeMedianMs, long inputBytes, double wholeP10Ms,
      double wholeCpuMs, int warmupRounds, List<Block> settling, double wholeModelThreadsCpuMs) {
    /** Without the whole model's CPU (a quick profile). */
    public Result(List<LayerTime> layers, double wholeMedianMs, long inputBytes, double wholeP10Ms) {
      this(layers, wholeMedianMs, inputBytes, wholeP10Ms, Double.NaN, 0, List.of(), Double.NaN);
    }

    public double sumMedianMs() {
      return layers.stream().mapToDouble(LayerTime::medianMs).sum();
    }
  }

  /** One block of warm-up rounds: the whole model's median ms in it, and the ms the JIT compiled meanwhile. */
  public record Block(double wholeMedianMs, long compileMs, double wallMs) {}

  /** A quick profile: {@code warmup} rounds, no settling, no CPU figure (for plans made on the spot). */
  public static Result profile(ModelGraph g, ModelInput input, float[] picture, Gpu gpu, int warmup, int frames) {
    return profile(g, input, picture, gpu, warmup, frames, false);
  }

  /**
   * @param picture the producer's frame payload: CHW BGR, 0..255, at the model's input size
   * @param settle  warm up until the JIT settles and measure the whole model's CPU (see the class comment)
   */
  public static Result profile(ModelGraph g, ModelInput input, float[] picture, Gpu gpu, int warmup, int frames,
      boolean settle) {
    return profile(g, input, picture, gpu, warmup, frames, settle, phase -> {});
  }

  /**
   * The whole model is warmed and timed first, before any single-layer runner exists: a partition
   * host runs only its partition, so the JIT's type profiles and inlining, and the caches, must see
   * the whole model alone when it is timed. The layers are only shares of it (a plan scales them to
   * sum to the whole), timed afterwards with their own warm-up.
   *
   * @param phases told each phase's name as it starts (for tests)
   */
  static Result profile(ModelGraph g, ModelInput input, float[] picture, Gpu gpu, int warmup, int frames,
      boolean settle, Consumer<String> phases) {
    int n = g.steps().size();
    String in = g.inputs().keySet().iterator().next();
    List<Block> settling = new ArrayList<>();
    int rounds;
    double[] w;
    double cpuMs;
    double threadsCpuMs;
    try (PartitionRunner all = new PartitionRunner(g, 0, n, gpu)) {
      phases.accept("whole warm-up");
      rounds = warmUp(() -> whole(all, in, input, picture), warmup, settle, settling);
      // the whole model back to back, as a service runs it
      phases.accept("whole timed");
      List<Double> whole = new ArrayList<>();
      long start = System.nanoTime();
      ModelThreadsCpu cpu = ModelThreadsCpu.start();
      long process0 = ProcessCpuClock.nowMicros();
      while (whole.size() < frames || settle && System.nanoTime() - start < CPU_PHASE_NANOS
          && whole.size() < CPU_PHASE_MAX_FRAMES) {
        whole.add(whole(all, in, input, picture));
      }
      long cpuNanos = cpu.elapsedNanos();
      long processMicros = ProcessCpuClock.nowMicros() - process0;
      w = whole.stream().mapToDouble(Double::doubleValue).toArray();
      cpuMs = settle && process0 > 0 && processMicros > 0 ? processMicros / 1e3 / w.length : Double.NaN;
      threadsCpuMs = settle && cpuNanos > 0 ? cpuNanos / 1e6 / w.length : Double.NaN;
    }
    double[][] times = new double[n][frames];
    List<PartitionRunner> runners = new ArrayList<>();
    try {
      phases.accept("layer runners");
      for (int i = 0; i < n; i++) {
        runners.add(new PartitionRunner(g, i, i + 1, gpu));
      }
      phases.accept("layers warm-up");
      warmUp(() -> layerRound(runners, in, input, picture, null, 0), warmup, settle, new ArrayList<>());
      phases.accept("layers timed");
      for (int t = 0; t < frames; t++) {
        layerRound(runners, in, input, picture, times, t);
      }
    } finally {
      runners.forEach(PartitionRunner::close);
    }
    List<LayerTime> layers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Step s = g.steps().get(i);
      layers.add(new LayerTime(i, s.node(), s.op(), quantile(times[i], 0.5), quantile(times[i], 0.95),
          g.crossingBytes(i + 1)));
    }
    return new Result(layers, quantile(w, 0.5), 3L * input.height() * input.width(), quantile(w, 0.1), cpuMs,
        rounds, settling, threadsCpuMs);
  }

  /**
   * At least {@code warmup} rounds; with {@code settle}, blocks of rounds until {@link WarmupSettle} says so.
   *
   * @param round one round, its ms
   * @return the rounds run
   */
  private static int warmUp(DoubleSupplier round, int warmup, boolean settle, List<Block> settling) {
    int rounds = 0;
    for (; rounds < warmup; rounds++) {
      round.getAsDouble();
    }
    if (!settle) {
      return rounds;
    }
    long start = System.nanoTime();
    double previous = 0;
    double fastest = 0;
    while (System.nanoTime() - start < WarmupSettle.MAX_NANOS) {
      double[] block = new double[WarmupSettle.BLOCK];
      long compile0 = WarmupSettle.compileMs();
      long t0 = System.nanoTime();
      for (int b = 0; b < block.length; b++, rounds++) {
        block[b] = round.getAsDouble();
      }
      Block done = new Block(WarmupSettle.median(block), WarmupSettle.compileMs() - compile0,
          (System.nanoTime() - t0) / 1e6);
      settling.add(done);
      if (WarmupSettle.settled(previous, fastest, done.wholeMedianMs(), done.compileMs(), done.wallMs())) {
        break;
      }
      previous = done.wholeMedianMs();
      fastest = fastest == 0 ? previous : Math.min(fastest, previous);
    }
    return rounds;
  }

  /**
   * Every layer alone, in order, fed the tensors the layers before it computed; times into {@code times[i][t]}.
   *
   * @return the round's ms
   */
  private static double layerRound(List<PartitionRunner> runners, String in, ModelInput input, float[] picture,
      double[][] times, int t) {
    Map<String, float[]> tensors = new HashMap<>();
    long round = System.nanoTime();
    for (int i = 0; i < runners.size(); i++) {
      long start = System.nanoTime();
      if (i == 0) {
        tensors.put(in, input.fromChw(picture, 3, input.height(), input.width(), false));
      }
      tensors.putAll(runners.get(i).run(tensors));
      if (times != null) {
        times[i][t] = (System.nanoTime() - start) / 1e6;
      }
    }
    return (System.nanoTime() - round) / 1e6;
  }

  /** The whole model once, from the picture; its ms. */
  private static double whole(PartitionRunner all, String in, ModelInput input, float[] picture) {
    long start = System.nanoTime();
    all.run(Map.of(in, input.fromChw(picture, 3, input.height(), input.width(), false)));
    return (System.nanoTime() - start) / 1e6;
  }

  static double quantile(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[Math.min(v.length - 1, (int) Math.floor(q * (v.length - 1) + 0.5))];
  }
}
