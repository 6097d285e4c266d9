package io.edgepipe.planner.deploy;

import java.util.OptionalDouble;

/** Just enough of the Prometheus text format to read one metric's samples. */
final class PrometheusText {
  private PrometheusText() {}

  /** Sum of every sample of {@code metric} (all label sets), or empty when there is none. */
  static OptionalDouble sum(String text, String metric) {
    if (text == null) {
      return OptionalDouble.empty();
    }
    double total = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      line = line.trim();
      if (line.isEmpty() || line.startsWith("#") || !line.startsWith(metric)) {
        continue;
      }
      String rest = line.substring(metric.length());
      if (!rest.isEmpty() && rest.charAt(0) != '{' && rest.charAt(0) != ' ') {
        continue; // a longer name with the same prefix
      }
      int valueStart = rest.startsWith("{") ? rest.lastIndexOf('}') + 1 : 0;
      String[] fields = rest.substring(valueStart).trim().split("\\s+");
      try {
        total += Double.parseDouble(fields[0]);
        found = true;
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        // not a sample line; skip it
      }
    }
    return found ? OptionalDouble.of(total) : OptionalDouble.empty();
  }
}
