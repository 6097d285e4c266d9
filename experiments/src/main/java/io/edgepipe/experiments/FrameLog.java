package io.edgepipe.experiments;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every frame the sink delivers, one record each: what the experiments compute their numbers
 * from (the run's own summary averages over every frame, warm-up included, and has no
 * per-frame lateness). Installed as the sink's output consumer, so it sees each frame at the
 * moment of delivery, on the sink's clock, which is the producer's.
 *
 * <p>Phases follow the sink's definitions: a service's {@code receive} is the previous
 * service's send stamp to its own receive stamp (transfer and parsing; queueing when the chain
 * is loaded), {@code process} its compute, {@code send} the hand-over to the transport; the
 * sink's receive is the last hop.
 *
 * <p>It can also hold the producer until the frame it just sent has come out of the chain
 * ({@link #awaitDelivery}), which keeps exactly one frame in flight: latency without queueing.
 */
public final class FrameLog implements Consumer<Frame> {
  /** One delivered frame. Arrays are indexed by service in chain order (producer first). */
  public record Entry(String flow, long seq, long captureUs, long arrivalUs, String[] services,
      double[] receiveMs, double[] processMs, double[] sendMs, double sinkReceiveMs, boolean tombstone) {
    public double latencyMs() {
      return (arrivalUs - captureUs) / 1e3;
    }

    public double computeMs() {
      return Arrays.stream(processMs).sum();
    }

    /** Every receive and send of the chain, the sink's receive included. */
    public double communicationMs() {
      return Arrays.stream(receiveMs).sum() + Arrays.stream(sendMs).sum() + sinkReceiveMs;
    }

    /** Time to move service {@code i}'s output to the next service: its send + the next one's receive. */
    public double transferMs(int i) {
      return sendMs[i] + (i + 1 < receiveMs.length ? receiveMs[i + 1] : sinkReceiveMs);
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private final Semaphore deliveries = new Semaphore(0);
  private final Map<String, Long> firstCapture = new HashMap<>();

  @Override
  public void accept(Frame f) {
    long arrival = EpochClock.nowMicros();
    List<StageTiming> t = f.getTimingsList();
    int n = t.size();
    String[] names = new String[n];
    double[] receive = new double[n];
    double[] process = new double[n];
    double[] send = new double[n];
    for (int i = 0; i < n; i++) {
      StageTiming s = t.get(i);
      names[i] = s.getStage();
      receive[i] = i == 0 ? 0 : (s.getReceivedUs() - t.get(i - 1).getSentUs()) / 1e3;
      process[i] = (s.getProcessedUs() - s.getReceivedUs()) / 1e3;
      send[i] = (s.getSentUs() - s.getProcessedUs()) / 1e3;
    }
    double sinkReceive = n == 0 ? 0 : (arrival - t.get(n - 1).getSentUs()) / 1e3;
    synchronized (this) {
      entries.add(new Entry(f.getFlowId(), f.getSeq(), f.getCaptureTimeUs(), arrival, names, receive, process, send,
          sinkReceive, isTombstone(f)));
      firstCapture.merge(f.getFlowId(), f.getCaptureTimeUs(), Math::min);
    }
    deliveries.release();
  }

  /**
   * A frame dropped on the way travels on as a tombstone with a drop reason (realtime delivery);
   * read by field name so this works whether or not the wire protocol of this build has it.
   */
  static boolean isTombstone(Frame f) {
    FieldDescriptor field = f.getDescriptorForType().findFieldByName("drop_reason");
    return field != null && !String.valueOf(f.getField(field)).isEmpty();
  }

  /** Waits until one more frame has been delivered; false after the timeout (frame lost or refused). */
  public boolean awaitDelivery(long timeout, TimeUnit unit) {
    try {
      return deliveries.tryAcquire(timeout, unit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Frames delivered with real data (not tombstones), in arrival order. */
  public synchronized List<Entry> delivered() {
    return entries.stream().filter(e -> !e.tombstone()).toList();
  }

  public synchronized long tombstones() {
    return entries.stream().filter(Entry::tombstone).count();
  }

  /** Delivered frames whose sequence number is at least {@code warmup} (per flow). */
  public List<Entry> after(long warmup) {
    return delivered().stream().filter(e -> e.seq() >= warmup).toList();
  }

  /**
   * End-to-end latency measured from when the frame was due at a camera running at {@code fps}
   * (the flow's first capture + seq / fps), not from when the producer got round to reading it:
   * a camera does not wait for a busy pipeline, so a producer that falls behind makes frames late.
   */
  public synchronized double scheduleLatencyMs(Entry e, double fps) {
    long first = firstCapture.getOrDefault(e.flow(), e.captureUs());
    double dueUs = first + e.seq() * 1e6 / fps;
    return Math.max(e.arrivalUs() - dueUs, e.arrivalUs() - e.captureUs()) / 1e3;
  }

  /** Mean of each phase per service over {@code frames}: name -> {receive, process, send}. */
  public static Map<String, double[]> phaseMeans(List<Entry> frames) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (Entry e : frames) {
      for (int i = 0; i < e.services().length; i++) {
        double[] s = sums.computeIfAbsent(e.services()[i], k -> new double[3]);
        s[0] += e.receiveMs()[i];
        s[1] += e.processMs()[i];
        s[2] += e.sendMs()[i];
      }
    }
    for (double[] s : sums.values()) {
      for (int k = 0; k < 3; k++) {
        s[k] /= Math.max(1, frames.size());
      }
    }
    return sums;
  }

  /** Throughput of the steady part: frames per second between the first and the last arrival. */
  public static double steadyFps(List<Entry> frames) {
    if (frames.size() < 2) {
      return 0;
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Entry e : frames) {
      first = Math.min(first, e.arrivalUs());
      last = Math.max(last, e.arrivalUs());
    }
    return last == first ? 0 : (frames.size() - 1) / ((last - first) / 1e6);
  }

  public static double mean(double[] values) {
    return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
  }

  /** Nearest-rank percentile, as the sink computes it. */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }
}
