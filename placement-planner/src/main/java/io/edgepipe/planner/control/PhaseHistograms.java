package io.edgepipe.planner.control;

import io.edgepipe.api.proto.StageTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the phase histograms' sums and counts from Prometheus text, and turns phase means into a timing chain. */
final class PhaseHistograms {
  private static final Pattern SAMPLE = Pattern.compile(
      "^" + ClusterTimingFeed.METRIC + "_(sum|count)\\{[^}]*phase=\"([a-z]+)\"[^}]*\\}\\s+(\\S+)");

  private static final Pattern PROCESS_CPU = Pattern.compile("^edgepipe_process_cpu_seconds_total(\\{[^}]*\\})?\\s+(\\S+)");

  private PhaseHistograms() {}

  /** The process CPU seconds counter in one pod's /metrics, or NaN when it is not there (an older stage image). */
  static double processCpuSeconds(String text) {
    if (text == null) {
      return Double.NaN;
    }
    for (String line : text.split("\n")) {
      Matcher m = PROCESS_CPU.matcher(line.trim());
      if (m.find()) {
        try {
          return Double.parseDouble(m.group(2));
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    return Double.NaN;
  }

  /** Adds each phase's {sum seconds, count} in {@code text} (one pod's /metrics) to {@code phases}. */
  static void addTo(Map<String, double[]> phases, String text) {
    if (text == null) {
      return;
    }
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.find()) {
        continue;
      }
      try {
        double value = Double.parseDouble(m.group(3));
        phases.computeIfAbsent(m.group(2), k -> new double[2])[m.group(1).equals("sum") ? 0 : 1] += value;
      } catch (NumberFormatException e) {
        // not a number: skip the sample
      }
    }
  }

  /**
   * A frame's timings from phase means (ms): stage i received at t, processed after its process
   * time, sent at once; stage i+1 receives after its receive time. Empty when a mean is missing.
   */
  static List<StageTiming> timings(List<String> stages, double[] processMs, double[] receiveMs) {
    List<StageTiming> timings = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < stages.size(); i++) {
      if (i > 0) {
        if (Double.isNaN(receiveMs[i])) {
          return List.of();
        }
        t += Math.round(receiveMs[i] * 1000);
      }
      if (Double.isNaN(processMs[i]) && i > 0) {
        return List.of();
      }
      long processed = t + Math.round((Double.isNaN(processMs[i]) ? 0 : processMs[i]) * 1000);
      timings.add(StageTiming.newBuilder().setStage(stages.get(i)).setReceivedUs(t).setProcessedUs(processed)
          .setSentUs(processed).build());
      t = processed;
    }
    return timings;
  }
}
