package io.edgepipe.models.plan;

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

/**
 * Times every layer of a model alone on one device, as Neurosurgeon profiles a network: each
 * layer is a partition of its own (its inputs copied in, launched, its outputs copied back,
 * one synchronisation), fed with the real tensors the layers before it computed from one
 * picture. The first layer's time includes the picture's preprocessing (resize, layout,
 * normalisation), which the first service does. Also times the whole model as one partition, so
 * the sum of the layers can be compared with it (the per-layer copies make the sum larger).
 */
public final class LayerProfiler {
  private LayerProfiler() {}

  /** One layer's time per frame (milliseconds) and what leaves the cut after it. */
  public record LayerTime(int index, String node, String op, double medianMs, double p95Ms, long bytesAfter) {}

  /**
   * @param layers       per layer, in run order
   * @param wholeMedianMs the whole model as one partition, median ms per frame (preprocessing included)
   * @param inputBytes   the picture frame the producer sends (3 x H x W u8)
   * @param wholeP10Ms   the whole model's 10th percentile: its least disturbed frames (printed; the layers run
   *                     ~1.4x faster in a warm chain than the median says, but see ModelProfiles.calibration)
   */
  public record Result(List<LayerTime> layers, double wholeMedianMs, long inputBytes, double wholeP10Ms) {
    public double sumMedianMs() {
      return layers.stream().mapToDouble(LayerTime::medianMs).sum();
    }
  }

  /**
   * @param picture the producer's frame payload: CHW BGR, 0..255, at the model's input size
   */
  public static Result profile(ModelGraph g, ModelInput input, float[] picture, Gpu gpu, int warmup, int frames) {
    int n = g.steps().size();
    String in = g.inputs().keySet().iterator().next();
    double[][] times = new double[n][frames];
    double[] whole = new double[frames];
    List<PartitionRunner> runners = new ArrayList<>();
    try (PartitionRunner all = new PartitionRunner(g, 0, n, gpu)) {
      for (int i = 0; i < n; i++) {
        runners.add(new PartitionRunner(g, i, i + 1, gpu));
      }
      for (int round = 0; round < warmup + frames; round++) {
        int t = round - warmup;
        Map<String, float[]> tensors = new HashMap<>();
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          if (i == 0) {
            tensors.put(in, input.fromChw(picture, 3, input.height(), input.width(), false));
          }
          tensors.putAll(runners.get(i).run(tensors));
          if (t >= 0) {
            times[i][t] = (System.nanoTime() - start) / 1e6;
          }
        }
        long start = System.nanoTime();
        all.run(Map.of(in, input.fromChw(picture, 3, input.height(), input.width(), false)));
        if (t >= 0) {
          whole[t] = (System.nanoTime() - start) / 1e6;
        }
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
    return new Result(layers, quantile(whole, 0.5), 3L * input.height() * input.width(), quantile(whole, 0.1));
  }

  static double quantile(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[Math.min(v.length - 1, (int) Math.floor(q * (v.length - 1) + 0.5))];
  }
}
