package io.edgepipe.models.bench;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code pipeline bench model}: the whole model on the {@code cpu} device (one partition, no hops)
 * against ONNX Runtime on the CPU with 2 threads, on the same inputs, in one run. Rounds
 * alternate between the two so that load on the machine hits both alike.
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

  public record Result(Times ours, Times ort, double maxRelativeError) {
    public double ratio() {
      return ours.median() / ort.median();
    }
  }

  private ModelBench() {}

  /**
   * @param inputs model input tensors (already preprocessed), used in turn
   */
  public static Result run(ModelSpec spec, ModelGraph g, List<float[]> inputs, int warmup, int frames, int ortThreads)
      throws Exception {
    String in = g.inputs().keySet().iterator().next();
    int[] shape = g.inputs().get(in);
    double[] ours = new double[frames];
    double[] ort = new double[frames];
    double worst = 0;
    try (CpuGpu gpu = new CpuGpu(); PartitionRunner runner = new PartitionRunner(g, 0, g.steps().size(), gpu);
        OrtReference ref = new OrtReference(spec.modelFile(), ortThreads)) {
      for (int i = 0; i < warmup + frames; i++) {
        float[] x = inputs.get(i % inputs.size());
        long t0 = System.nanoTime();
        Map<String, float[]> a = runner.run(Map.of(in, x));
        long t1 = System.nanoTime();
        Map<String, float[]> b = ref.run(in, shape, x);
        long t2 = System.nanoTime();
        if (i >= warmup) {
          ours[i - warmup] = (t1 - t0) / 1e6;
          ort[i - warmup] = (t2 - t1) / 1e6;
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
        + " threads", ort), worst);
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
