package io.edgepipe.planner.predict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hop's cost per frame as a fixed part plus a part per byte, fitted to a model's per-cut
 * measurements: the slope by repeated medians (Siegel: per point the median slope to the others,
 * the median of those), which holds while fewer than half the sizes are off, then the intercept.
 *
 * <p>Why a fit and not each cut's own figure: {@code measure} times each distinct size once, a
 * few frames each, and the first sizes it times run on a cold JVM; one such figure (7 ms for a
 * 48 KB hop that takes 0.5 ms warm) then stands for every cut of that size and decides their
 * predicted latency. The fixed part is also what a frame costs on a fast link beyond its bytes
 * (gRPC framing, serialisation, wake-ups).
 *
 * <p>Why the fixed part is the lower quartile of the intercepts, not their median: a slow figure
 * (cold JVM, a descheduled thread) only ever adds to a hop's time, and in a model with many
 * distinct sizes the cold ones can be half or more: the classifier's profile times its first
 * ~15 of 37 sizes at 1-1.9 ms and the rest at 0.24-0.6 ms, and the median's 0.78 ms fixed cost
 * was half again the warm figures. The lower quartile holds while a quarter of the sizes are
 * warm; on figures without such outliers it is lower than the median by the noise's spread.
 *
 * @param fixedMs   cost of a frame of no bytes
 * @param msPerByte cost per byte of payload
 */
public record HopFit(double fixedMs, double msPerByte) {
  /** The cost of a frame of {@code bytes}. */
  public double ms(long bytes) {
    return Math.max(0, fixedMs + msPerByte * bytes);
  }

  /**
   * The fit to {@code points} (bytes, ms), one per distinct size (a size measured once and
   * reused for several cuts counts once); null with fewer than two sizes.
   */
  public static HopFit of(Map<Long, Double> points) {
    List<Long> sizes = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (Map.Entry<Long, Double> p : points.entrySet()) {
      if (p.getValue() != null && Double.isFinite(p.getValue())) {
        sizes.add(p.getKey());
        values.add(p.getValue());
      }
    }
    int n = sizes.size();
    if (n < 2) {
      return null;
    }
    List<Double> slopes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Double> fromI = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        long db = sizes.get(j) - sizes.get(i);
        if (db != 0) {
          fromI.add((values.get(j) - values.get(i)) / db);
        }
      }
      slopes.add(median(fromI));
    }
    double slope = Math.max(0, median(slopes)); // a hop never gets cheaper with more bytes
    List<Double> intercepts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      intercepts.add(values.get(i) - slope * sizes.get(i));
    }
    return new HopFit(Math.max(0, lowerQuartile(intercepts)), slope);
  }

  /** {@code bytes -> ms} of the measured hops, the first figure of each size (later cuts of a size reuse it). */
  static Map<Long, Double> bySize(List<Long> bytes, List<Double> ms) {
    Map<Long, Double> points = new LinkedHashMap<>();
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.get(i) >= 0 && ms.get(i) != null) {
        points.putIfAbsent(bytes.get(i), ms.get(i));
      }
    }
    return points;
  }

  /** The value at a quarter of the way up ({@code (n-1)/4}, rounded down, of the sorted values). */
  static double lowerQuartile(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v[(v.length - 1) / 4];
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return 0;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
