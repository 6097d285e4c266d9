package io.edgepipe.experiments;

import io.edgepipe.harness.testbed.PartitionSweep;
import io.edgepipe.planner.predict.CutPlanner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How long a model-cuts sweep will take, before it starts: per cell, the windows its predicted
 * rate needs ({@link ModelCutExperiment}'s rules, at the producer's reports), and per cut
 * the swap of partitions. And, while it runs, where the time went ({@link Phases}).
 */
final class SweepEstimate {
  /** The producer's report period in a sweep: windows end on a report. */
  static final double REPORT_S = PartitionSweep.REPORT_MS / 1000.0;
  /** Starting the JVMs and warming them over the whole model on each node, on a quiet host. */
  static final double START_SECONDS = 45;
  /** Swapping a cut's partitions (start the new ones, repoint, drain and stop the old), on a quiet host. */
  static final double LOAD_SECONDS = 0.6;
  /** A rate change (tc on both ends). */
  static final double RATE_SECONDS = 0.05;

  private SweepEstimate() {}

  /** Seconds for every cell of {@code cuts} at every link, from each link's plan's predicted fps. */
  static double cellsSeconds(List<Integer> cuts, ModelCutExperiment.Settings s, Map<String, CutPlanner.CutPlan> plans) {
    double total = 0;
    for (int cut : cuts) {
      total += LOAD_SECONDS + s.warmSeconds();
      for (String link : s.links()) {
        total += cellSeconds(plans.get(link).singles().get(cut).fps(), s);
      }
    }
    return total;
  }

  /** One cell at {@code fps}: rate change, throughput window, drain, paced window. */
  static double cellSeconds(double fps, ModelCutExperiment.Settings s) {
    var w = s.window();
    double rate = Double.isFinite(fps) && fps > 0 ? fps : 1000;
    // a window waits for the first report after its settling, then reports until its rule holds; one more
    // report than the least is typical before the two halves agree
    double throughput = w.settleSeconds() + REPORT_S / 2
        + Math.min(w.maxSeconds(), reports(Math.max(w.minSeconds(), w.minFrames() / rate)) + REPORT_S);
    double drain = drainSeconds(rate);
    double pace = Math.max(0.5, rate / 2);
    double paced = ModelCutExperiment.PACED_SETTLE_S + REPORT_S / 2
        + Math.min(w.maxSeconds() + 1, reports(Math.max(w.minSeconds() / 2, s.pacedFrames() / pace)));
    return RATE_SECONDS + throughput + drain + paced;
  }

  /** {@code seconds} rounded up to whole reports. */
  private static double reports(double seconds) {
    return Math.ceil(seconds / REPORT_S - 1e-9) * REPORT_S;
  }

  /** The drain after a throughput window where nothing stays queued (a link-bound chain adds its queue). */
  static double drainSeconds(double fps) {
    return PartitionSweep.caughtUpQuietSeconds(fps) + REPORT_S / 2;
  }

  /** Wall time per phase of the sweep, summed. */
  static final class Phases {
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Adds the time from {@code startNanos} to now to {@code phase}. */
    void add(String phase, long startNanos) {
      nanos.merge(phase, System.nanoTime() - startNanos, Long::sum);
    }

    double seconds(String phase) {
      return nanos.getOrDefault(phase, 0L) / 1e9;
    }

    @Override
    public String toString() {
      return nanos.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue() / 1e9))
          .collect(Collectors.joining(", "));
    }
  }
}
