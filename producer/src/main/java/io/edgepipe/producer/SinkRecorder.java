package io.edgepipe.producer;

import io.edgepipe.api.EpochClock;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.runtime.FrameProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The sink's processing: checks each flow's order and gaps, records end-to-end latency (capture
 * to arrival, one clock since the sink lives with the producer) and each service's phase times
 * from the frame's timing records, and hands the frame to an optional consumer (output writer).
 */
public final class SinkRecorder implements FrameProcessor {
  private final Consumer<Frame> onDelivered;
  private final Map<String, FlowState> flows = new HashMap<>();
  private final Map<String, PhaseSums> phases = new LinkedHashMap<>();
  private long[] latenciesUs = new long[1024];
  private long delivered;
  private long firstCaptureUs = Long.MAX_VALUE;
  private long lastArrivalUs;

  /** Per-flow order bookkeeping: the next expected seq, and what went wrong. */
  private static final class FlowState {
    long next;
    long outOfOrder;
    long duplicates;
    long gaps;
  }

  private static final class PhaseSums {
    String node = "";
    double receive;
    double process;
    double send;
    long count;
    long receiveCount;
  }

  /** @param onDelivered called with every delivered frame (for saving outputs), or null */
  public SinkRecorder(Consumer<Frame> onDelivered) {
    this.onDelivered = onDelivered;
  }

  @Override
  public synchronized Frame.Builder process(Frame in) {
    long arrival = EpochClock.nowMicros();
    FlowState flow = flows.computeIfAbsent(in.getFlowId(), k -> new FlowState());
    long seq = in.getSeq();
    if (seq == flow.next) {
      flow.next++;
    } else if (seq > flow.next) {
      flow.gaps += seq - flow.next; // may be filled later, then counted out of order
      flow.next = seq + 1;
    } else {
      flow.outOfOrder++;
      flow.gaps = Math.max(0, flow.gaps - 1);
    }
    if (delivered == latenciesUs.length) {
      latenciesUs = Arrays.copyOf(latenciesUs, latenciesUs.length * 2);
    }
    latenciesUs[(int) delivered++] = arrival - in.getCaptureTimeUs();
    firstCaptureUs = Math.min(firstCaptureUs, in.getCaptureTimeUs());
    lastArrivalUs = Math.max(lastArrivalUs, arrival);
    recordPhases(in.getTimingsList(), arrival);
    if (onDelivered != null) {
      onDelivered.accept(in);
    }
    return null;
  }

  private void recordPhases(List<StageTiming> timings, long arrival) {
    for (int i = 0; i < timings.size(); i++) {
      StageTiming t = timings.get(i);
      PhaseSums sums = phases.computeIfAbsent(t.getStage(), k -> new PhaseSums());
      sums.node = t.getNode();
      if (i > 0) {
        sums.receive += t.getReceivedUs() - timings.get(i - 1).getSentUs();
        sums.receiveCount++;
      }
      sums.process += t.getProcessedUs() - t.getReceivedUs();
      sums.send += t.getSentUs() - t.getProcessedUs();
      sums.count++;
    }
    if (!timings.isEmpty()) {
      PhaseSums sink = phases.computeIfAbsent("sink", k -> new PhaseSums());
      sink.receive += arrival - timings.get(timings.size() - 1).getSentUs();
      sink.receiveCount++;
      sink.count++;
    }
  }

  public synchronized long delivered() {
    return delivered;
  }

  public synchronized RunSummary summary() {
    long[] sorted = Arrays.copyOf(latenciesUs, (int) delivered);
    Arrays.sort(sorted);
    double seconds = delivered == 0 ? 0 : (lastArrivalUs - firstCaptureUs) / 1e6;
    long outOfOrder = 0;
    long gaps = 0;
    long duplicates = 0;
    for (FlowState f : flows.values()) {
      outOfOrder += f.outOfOrder;
      gaps += f.gaps;
      duplicates += f.duplicates;
    }
    List<PhaseRow> rows = new ArrayList<>();
    for (Map.Entry<String, PhaseSums> e : phases.entrySet()) {
      PhaseSums s = e.getValue();
      rows.add(new PhaseRow(e.getKey(), s.node,
          s.receiveCount == 0 ? 0 : s.receive / s.receiveCount / 1e3,
          s.count == 0 ? 0 : s.process / s.count / 1e3,
          s.count == 0 ? 0 : s.send / s.count / 1e3));
    }
    double mean = 0;
    for (long l : sorted) {
      mean += l;
    }
    return new RunSummary(delivered, flows.size(), outOfOrder, gaps, duplicates, seconds,
        seconds > 0 ? delivered / seconds : 0,
        percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
        delivered == 0 ? 0 : mean / delivered / 1e3, rows);
  }

  /** Nearest-rank percentile in milliseconds. */
  static double percentile(long[] sortedUs, double p) {
    if (sortedUs.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sortedUs.length);
    return sortedUs[Math.max(0, Math.min(sortedUs.length - 1, rank - 1))] / 1e3;
  }
}
