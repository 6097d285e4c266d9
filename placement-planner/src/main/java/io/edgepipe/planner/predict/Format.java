package io.edgepipe.planner.predict;

import java.util.Locale;

/** Number formats shared by the text table, the CSV file and the explanation. */
public final class Format {
  private Format() {}

  public static String ms(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  public static String fps(double value) {
    return Double.isInfinite(value) ? "inf" : String.format(Locale.ROOT, "%.1f", value);
  }

  /** CCR with two decimals; "-" when undefined (a stage with no compute time). */
  public static String ccr(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    return Double.isInfinite(value) ? "inf" : String.format(Locale.ROOT, "%.2f", value);
  }

  /** Full precision for CSV; empty for undefined values. */
  public static String raw(double value) {
    if (Double.isNaN(value)) {
      return "";
    }
    return Double.isInfinite(value) ? "inf" : String.format(Locale.ROOT, "%.4f", value);
  }
}
