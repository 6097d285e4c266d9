package io.edgepipe.models.bench;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.kinds.conv.ConvKind;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code pipeline bench model}: the whole model on the {@code cpu} device (one partition, no hops)
 * against ONNX Runtime on the CPU with 2 threads, on the same inputs, in one run. Rounds
 * alternate between the two so that load on the machine hits both alike, with a pause before each
 * engine's frame: ONNX Runtime's threads spin for 1-2 ms after a run (measured here: a core's worth
 * of CPU in the next 1-2 ms), and on two cores a frame started at once would share them with it.
 */
public final class ModelBench {
  /** Times of one engine, in milliseconds per frame. */
  public record Times(String engine, double[] ms) {
    double min() {
      return Arrays.stream(ms).min().orElse(0);
    }

    double median() {
      double[] s = ms.clone();
      Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double max() {
      return Arrays.stream(ms).max().orElse(0);
    }
  }

  /**
   * Where our time goes: one layer kind's share of the timed frames; {@code fused} of its layers
   * ran inside the launch of the Conv before them, so their time is counted in that Conv's kind.
   */
  public record KindTime(String op, int layers, int fused, double msPerFrame, double share) {}

  public record Result(Times ours, Times ort, double maxRelativeError, List<KindTime> kinds) {
    public double ratio() {
      return ours.median() / ort.median();
    }
  }

  private ModelBench() {}

  /**
   * @param inputs model input tensors (already preprocessed), used in turn
   */
  public static Result run(ModelSpec spec, ModelGraph g, List<float[]> inputs, int warmup, int frames, int ortThreads,
      int settleMs) throws Exception {
    String in = g.inputs().keySet().iterator().next();
    int[] shape = g.inputs().get(in);
    double[] ours = new double[frames];
    double[] ort = new double[frames];
    double worst = 0;
    Map<String, double[]> kindMs = new TreeMap<>(); // kind -> its layers' ms in each timed frame
    boolean[] fused;
    try (CpuGpu gpu = new CpuGpu(); PartitionRunner runner = new PartitionRunner(g, 0, g.steps().size(), gpu);
        OrtReference ref = new OrtReference(spec.modelFile(), ortThreads)) {
      fused = runner.fusedSteps();
      for (int i = 0; i < warmup + frames; i++) {
        float[] x = inputs.get(i % inputs.size());
        boolean timed = i >= warmup;
        int frame = i - warmup;
        Thread.sleep(settleMs);
        long t0 = System.nanoTime();
        Map<String, float[]> a = runner.run(Map.of(in, x), (step, nanos) -> {
          if (timed) {
            kindMs.computeIfAbsent(label(step), k -> new double[frames])[frame] += nanos / 1e6;
          }
        });
        long t1 = System.nanoTime();
        Thread.sleep(settleMs);
        long t1b = System.nanoTime();
        Map<String, float[]> b = ref.run(in, shape, x);
        long t2 = System.nanoTime();
        if (timed) {
          ours[i - warmup] = (t1 - t0) / 1e6;
          ort[i - warmup] = (t2 - t1b) / 1e6;
        }
        for (String out : g.outputs()) {
          float[] r = b.get(out);
          float[] o = a.get(out);
          for (int k = 0; k < r.length; k++) {
            worst = Math.max(worst, Math.abs(r[k] - o[k]) / Math.max(1.0, Math.abs(r[k])));
          }
        }
      }
    }
    return new Result(new Times("edgepipe cpu (monolith)", ours), new Times("ONNX Runtime cpu, " + ortThreads
        + " threads", ort), worst, kinds(g, kindMs, fused));
  }

  /** The kind of a step, with Conv told apart by the paths its twin takes (they cost very differently). */
  static String label(Step step) {
    if (step.layer() instanceof ConvKind.Spec c) {
      if (c.group() == c.cin() && c.group() > 1) {
        return "Conv depthwise";
      }
      return c.kh() == 1 && c.kw() == 1 ? "Conv 1x1" : "Conv " + c.kh() + "x" + c.kw();
    }
    return step.op();
  }

  /**
   * Per-kind median time per frame, largest first (a median, since on a busy machine a few frames
   * that lost the CPU would dominate a mean); shares are of the sum of the medians.
   */
  private static List<KindTime> kinds(ModelGraph g, Map<String, double[]> kindMs, boolean[] fused) {
    Map<String, Integer> layers = new TreeMap<>();
    Map<String, Integer> fusedLayers = new TreeMap<>();
    for (int i = 0; i < g.steps().size(); i++) {
      layers.merge(label(g.steps().get(i)), 1, Integer::sum);
      fusedLayers.merge(label(g.steps().get(i)), fused[i] ? 1 : 0, Integer::sum);
    }
    Map<String, Double> median = new TreeMap<>();
    kindMs.forEach((kind, ms) -> median.put(kind, new Times(kind, ms).median()));
    double all = median.values().stream().mapToDouble(Double::doubleValue).sum();
    List<KindTime> k = new ArrayList<>();
    median.forEach((kind, ms) -> k.add(new KindTime(kind, layers.get(kind), fusedLayers.get(kind), ms,
        all > 0 ? ms / all : 0)));
    k.sort(Comparator.comparingDouble(KindTime::msPerFrame).reversed());
    return k;
  }

  public static String table(ModelSpec spec, ModelGraph g, Result r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%s: %d layers, input %s, %d timed frames%n", spec.name(), g.steps().size(),
        Shapes.format(g.inputs().values().iterator().next()), r.ours().ms().length));
    s.append(String.format("%-32s %9s %9s %9s%n", "engine (ms per frame)", "min", "median", "max"));
    for (Times t : List.of(r.ours(), r.ort())) {
      s.append(String.format("%-32s %9.2f %9.2f %9.2f%n", t.engine(), t.min(), t.median(), t.max()));
    }
    s.append(String.format("ratio edgepipe / ONNX Runtime (median): %.2fx; largest difference %.2e x max(|ref|,1)%n",
        r.ratio(), r.maxRelativeError()));
    s.append(String.format("%nwhere edgepipe's time goes (median per frame, per layer kind):%n"));
    s.append(String.format("%-20s %7s %7s %12s %7s%n", "layer kind", "layers", "fused", "ms per frame", "share"));
    for (KindTime k : r.kinds()) {
      s.append(String.format("%-20s %7d %7d %12.3f %6.1f%%%n", k.op(), k.layers(), k.fused(), k.msPerFrame(),
          100 * k.share()));
    }
    s.append(String.format("(fused: layers run inside the launch of the Conv before them, their time counted there)%n"));
    return s.toString();
  }

  public static void csv(Path file, Result r) {
    List<String> lines = new ArrayList<>();
    lines.add("engine,frame,ms");
    for (Times t : List.of(r.ours(), r.ort())) {
      for (int i = 0; i < t.ms().length; i++) {
        lines.add("\"" + t.engine() + "\"," + i + "," + String.format("%.4f", t.ms()[i]));
      }
    }
    write(file, lines);
  }

  /** The per-kind breakdown next to the per-frame CSV: {@code NAME-kinds.csv}. */
  public static Path kindsCsv(Path file, Result r) {
    List<String> lines = new ArrayList<>();
    lines.add("kind,layers,fused_layers,ms_per_frame,share");
    for (KindTime k : r.kinds()) {
      lines.add(String.format("%s,%d,%d,%.4f,%.4f", k.op(), k.layers(), k.fused(), k.msPerFrame(), k.share()));
    }
    String name = file.getFileName().toString();
    Path out = file.resolveSibling((name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name) + "-kinds.csv");
    write(out, lines);
    return out;
  }

  private static void write(Path file, List<String> lines) {
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
