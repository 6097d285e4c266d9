package io.edgepipe.harness.report;

import java.util.Arrays;
import java.util.Locale;

/** Min, median and max of repeated measurements, as the benchmark tables print them. */
public record Spread(double min, double median, double max) {
  public static Spread of(double... values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new Spread(v[0], median, v[n - 1]);
  }

  /** "median (min-max)". */
  public String text(String format) {
    return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")", median, min, max);
  }
}
