package io.edgepipe.producer;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.runtime.FrameProcessor;
import io.edgepipe.runtime.PayloadCodecs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The sink's processing. Per flow it checks order and gaps, accounts for tombstones (frames
 * dropped or rejected on the way), and records end-to-end latency (capture to arrival, one clock
 * since the sink lives with the producer) and each service's phase times from the timings.
 *
 * <p>In reliable delivery it delivers each (flow, seq) exactly once and in order: a re-sent
 * frame it already has is counted as a duplicate and dropped, and a frame that arrives ahead of a
 * missing one waits (up to {@link #REORDER_LIMIT} per flow) until the gap is filled.
 */
public final class SinkRecorder implements FrameProcessor {
  /** Frames a flow may hold back waiting for a missing earlier one. */
  public static final int REORDER_LIMIT = 4096;

  private final Consumer<Frame> onDelivered;
  private final Delivery delivery;
  private final Map<String, Flow> flows = new LinkedHashMap<>();
  private final Map<String, PhaseSums> phases = new LinkedHashMap<>();
  private final Map<String, Long> dropReasons = new TreeMap<>();
  private final LatencyHistogram latencies = new LatencyHistogram();
  private long delivered;
  private long firstCaptureUs = Long.MAX_VALUE;
  private long lastArrivalUs;

  private static final class Flow {
    long next;            // lowest seq not yet accounted for
    long highest = -1;    // highest seq seen
    long highestDelivered = -1; // highest seq delivered (tombstones do not count for order)
    long delivered;
    long dropped;
    long rejected;
    long duplicates;
    long outOfOrder;
    final TreeMap<Long, Frame> waiting = new TreeMap<>(); // reliable: ahead of a gap
    final java.util.BitSet seenAhead = new java.util.BitSet(); // realtime: bit i = seq next+i accounted
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
    this(onDelivered, Delivery.RELIABLE);
  }

  public SinkRecorder(Consumer<Frame> onDelivered, Delivery delivery) {
    this.onDelivered = onDelivered;
    this.delivery = delivery;
  }

  @Override
  public synchronized Frame.Builder process(Frame in) {
    long arrival = EpochClock.nowMicros();
    // a compressed payload is checked (and decoded for whoever reads the outputs) before it counts
    arrive(PayloadCodecs.decoded("sink", in), arrival);
    return null;
  }

  @Override
  public synchronized void onTombstone(Frame tombstone) {
    arrive(tombstone, EpochClock.nowMicros());
  }

  private void arrive(Frame in, long arrival) {
    Flow flow = flows.computeIfAbsent(in.getFlowId(), k -> new Flow());
    long seq = in.getSeq();
    if (delivery == Delivery.RELIABLE) {
      if (seq < flow.next || flow.waiting.containsKey(seq)) {
        flow.duplicates++;
        return;
      }
      if (seq > flow.next) {
        if (flow.waiting.size() < REORDER_LIMIT) {
          flow.waiting.put(seq, in);
          return;
        }
        flow.next = seq; // give up waiting: the missing ones count as gaps
      }
      account(flow, in, arrival);
      flow.next = seq + 1;
      while (!flow.waiting.isEmpty() && flow.waiting.firstKey() == flow.next) {
        account(flow, flow.waiting.pollFirstEntry().getValue(), arrival);
        flow.next++;
      }
      return;
    }
    // realtime: account at once, whatever the order, but each (flow, seq) once: after a crash
    // a frame can arrive both as itself and as its upstream's "lost in flight" tombstone
    long offset = seq - flow.next;
    if (offset < 0 || (offset < Integer.MAX_VALUE && flow.seenAhead.get((int) offset))) {
      flow.duplicates++;
      return;
    }
    boolean delivers = in.getDropReason().isEmpty();
    if (delivers && seq < flow.highestDelivered) {
      flow.outOfOrder++; // only delivered frames count: out_of_order never exceeds delivered
    }
    if (delivers) {
      flow.highestDelivered = Math.max(flow.highestDelivered, seq);
    }
    flow.highest = Math.max(flow.highest, seq);
    account(flow, in, arrival);
    if (offset < Integer.MAX_VALUE) {
      flow.seenAhead.set((int) offset);
    }
    int advance = flow.seenAhead.nextClearBit(0);
    if (advance > 0) {
      flow.next += advance;
      java.util.BitSet rest = flow.seenAhead.get(advance, Math.max(advance, flow.seenAhead.length()));
      flow.seenAhead.clear();
      flow.seenAhead.or(rest);
    }
  }

  private void account(Flow flow, Frame in, long arrival) {
    flow.highest = Math.max(flow.highest, in.getSeq());
    if (!in.getDropReason().isEmpty()) {
      String reason = in.getDropReason();
      // the reason's first clause ("queue full at relu", "failed at conv") keeps the keys few
      String key = reason.startsWith("rejected") ? "rejected" : reason.split(":", 2)[0];
      dropReasons.merge(key.length() > 120 ? key.substring(0, 120) : key, 1L, Long::sum);
      if (reason.startsWith("rejected")) {
        flow.rejected++;
      } else {
        flow.dropped++;
      }
      return;
    }
    flow.delivered++;
    delivered++;
    latencies.record(arrival - in.getCaptureTimeUs());
    firstCaptureUs = Math.min(firstCaptureUs, in.getCaptureTimeUs());
    lastArrivalUs = Math.max(lastArrivalUs, arrival);
    recordPhases(in.getTimingsList(), arrival);
    if (onDelivered != null) {
      onDelivered.accept(in);
    }
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
      sink.node = timings.get(0).getNode(); // the sink lives with the producer
      sink.receive += arrival - timings.get(timings.size() - 1).getSentUs();
      sink.receiveCount++;
      sink.count++;
    }
  }

  public synchronized long delivered() {
    return delivered;
  }

  public synchronized RunSummary summary() {
    double seconds = delivered == 0 ? 0 : (lastArrivalUs - firstCaptureUs) / 1e6;
    List<FlowAccount> accounts = new ArrayList<>();
    long dropped = 0;
    long rejected = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    long gaps = 0;
    for (Map.Entry<String, Flow> e : flows.entrySet()) {
      Flow f = e.getValue();
      long accounted = f.delivered + f.dropped + f.rejected;
      long flowGaps = Math.max(0, f.highest + 1 - accounted);
      accounts.add(new FlowAccount(e.getKey(), f.delivered, f.dropped, f.rejected, f.duplicates, f.outOfOrder, flowGaps));
      dropped += f.dropped;
      rejected += f.rejected;
      duplicates += f.duplicates;
      outOfOrder += f.outOfOrder;
      gaps += flowGaps;
    }
    List<PhaseRow> rows = new ArrayList<>();
    for (Map.Entry<String, PhaseSums> e : phases.entrySet()) {
      PhaseSums s = e.getValue();
      rows.add(new PhaseRow(e.getKey(), s.node,
          s.receiveCount == 0 ? 0 : s.receive / s.receiveCount / 1e3,
          s.count == 0 ? 0 : s.process / s.count / 1e3,
          s.count == 0 ? 0 : s.send / s.count / 1e3));
    }
    return new RunSummary(delivered, dropped, rejected, duplicates, outOfOrder, gaps, seconds,
        seconds > 0 ? delivered / seconds : 0,
        latencies.percentileMicros(50) / 1e3, latencies.percentileMicros(95) / 1e3,
        latencies.percentileMicros(99) / 1e3, latencies.meanMicros() / 1e3, rows, accounts, new TreeMap<>(dropReasons));
  }
}
