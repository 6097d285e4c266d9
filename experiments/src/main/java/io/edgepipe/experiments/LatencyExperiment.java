package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.EmbeddedRun;
import io.edgepipe.harness.MonolithRun;
import io.edgepipe.launcher.RunOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * E1 and E2 (thesis figures 4.3/4.4 and 4.6/4.7): per frame size, the end-to-end latency of one
 * frame through the monolith and through the four microservices, split into compute (the sum of
 * every service's process time) and communication (the sum of every receive and send, the
 * sink's receive included); and from the same microservice runs, each stage's CCR: the time to
 * move its output to the next service (its send + the next one's receive) over its compute time.
 *
 * <p>Only one frame is in flight: the producer sends the next frame when the previous one has
 * reached the sink, so no time is spent queueing and latency is the walk through the chain.
 */
public final class LatencyExperiment {
  static final String E1_CSV = "e1_latency.csv";
  static final String E2_CSV = "e2_ccr.csv";
  private static final long DELIVERY_TIMEOUT_S = 60;

  /** Columns of {@link #E1_CSV}, one row per frame size and mode. */
  public enum LatencyColumn implements CsvColumn {
    SIZE, SIDE, MODE, FRAMES, LATENCY_MEAN_MS, LATENCY_P50_MS, LATENCY_P95_MS, COMPUTE_MS, COMMUNICATION_MS, OTHER_MS
  }

  /** Columns of {@link #E2_CSV}, one row per frame size and stage (and a {@code total} row per size). */
  public enum CcrColumn implements CsvColumn {
    SIZE, SIDE, STAGE, COMPUTE_MS, TRANSFER_MS, CCR
  }

  private LatencyExperiment() {}

  public static long plannedFrames(SuitePlan p) {
    return p.sizes().size() * 2L * (p.latencyFrames() + p.latencyWarmup());
  }

  public static void run(Suite s) {
    Table e1 = CsvColumn.table(LatencyColumn.values());
    Table e2 = CsvColumn.table(CcrColumn.values());
    for (int side : s.plan.sizes()) {
      PipelineSpec spec = s.spec.withInput(side, side);
      String size = side + "x" + side;
      for (boolean monolith : new boolean[] {true, false}) {
        s.task("E1 " + size + (monolith ? " monolith" : " microservices"));
        List<FrameLog.Entry> frames = oneInFlight(s, spec, monolith, s.plan.latencyFrames(), s.plan.latencyWarmup());
        double[] latency = frames.stream().mapToDouble(FrameLog.Entry::latencyMs).toArray();
        double compute = FrameLog.mean(frames.stream().mapToDouble(FrameLog.Entry::computeMs).toArray());
        double comm = FrameLog.mean(frames.stream().mapToDouble(FrameLog.Entry::communicationMs).toArray());
        double mean = FrameLog.mean(latency);
        e1.row(size, side, monolith ? "monolith" : "microservices", frames.size(), mean,
            FrameLog.percentile(latency, 50), FrameLog.percentile(latency, 95), compute, comm,
            Math.max(0, mean - compute - comm));
        if (!monolith) {
          ccrRows(e2, size, side, frames);
        }
      }
    }
    e1.writeCsv(s.dir.resolve(E1_CSV));
    e2.writeCsv(s.dir.resolve(E2_CSV));
    s.say("");
    s.say("E1 latency per frame (one frame in flight)");
    e1.print(s.console);
    s.say("");
    s.say("E2 CCR per stage (transfer of its output / its compute)");
    e2.print(s.console);
  }

  private static void ccrRows(Table e2, String size, int side, List<FrameLog.Entry> frames) {
    if (frames.isEmpty()) {
      return;
    }
    String[] services = frames.get(0).services();
    double totalCompute = 0;
    double totalTransfer = 0;
    for (int i = 0; i < services.length; i++) {
      final int k = i;
      double compute = FrameLog.mean(frames.stream().mapToDouble(e -> e.processMs()[k]).toArray());
      double transfer = FrameLog.mean(frames.stream().mapToDouble(e -> e.transferMs(k)).toArray());
      totalCompute += compute;
      totalTransfer += transfer;
      e2.row(size, side, services[i], compute, transfer, compute > 0 ? transfer / compute : Double.NaN);
    }
    e2.row(size, side, "total", totalCompute, totalTransfer, totalCompute > 0 ? totalTransfer / totalCompute : Double.NaN);
  }

  /**
   * Streams {@code warmup + frames} frames, each sent only once the previous one was delivered;
   * returns the timed ones.
   */
  static List<FrameLog.Entry> oneInFlight(Suite s, PipelineSpec spec, boolean monolith, int frames, int warmup) {
    FrameLog log = new FrameLog();
    RunOptions o = s.options(spec, warmup + frames, 0, 1);
    Runnable next = () -> {
      if (!log.awaitDelivery(DELIVERY_TIMEOUT_S, TimeUnit.SECONDS)) {
        throw new IllegalStateException("a " + spec.input().w() + "x" + spec.input().h()
            + " frame did not reach the sink within " + DELIVERY_TIMEOUT_S + " s");
      }
      s.step();
    };
    if (monolith) {
      try (MonolithRun run = new MonolithRun(spec, s.device, log)) {
        run.run(o, next);
      }
    } else {
      try (EmbeddedRun run = new EmbeddedRun(spec, s.device, log)) {
        run.run(o, next);
      }
    }
    return log.after(warmup);
  }

  /** Mean phases of a run, for console tables: service -> {receive, process, send}. */
  static Map<String, double[]> phases(List<FrameLog.Entry> frames) {
    return FrameLog.phaseMeans(frames);
  }
}
