package io.edgepipe.harness.testbed;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.FlowAccount;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.runtime.FrameProcessor;
import java.time.Duration;
import java.util.Map;

/**
 * The testbed producer's sink when one chain serves several phases (warm-up, a throughput run,
 * a paced latency run): a fresh {@link SinkRecorder} per phase, so each phase's rate and
 * latency are its own. The producer swaps recorders only once every frame of the phase is
 * accounted for, so no frame of one phase lands in the next one's figures.
 */
final class PhasedSink implements FrameProcessor {
  private final Delivery delivery;
  private final java.util.function.Consumer<Frame> onDelivered;
  private volatile SinkRecorder current;

  PhasedSink(Delivery delivery) {
    this(delivery, null);
  }

  /** @param onDelivered hears every delivered frame, whatever the phase (null: nobody) */
  PhasedSink(Delivery delivery, java.util.function.Consumer<Frame> onDelivered) {
    this.delivery = delivery;
    this.onDelivered = onDelivered;
    this.current = new SinkRecorder(onDelivered, delivery);
  }

  @Override
  public Frame.Builder process(Frame in) {
    return current.process(in);
  }

  @Override
  public void onTombstone(Frame tombstone) {
    current.onTombstone(tombstone);
  }

  SinkRecorder current() {
    return current;
  }

  /** Ends the current phase: returns its recorder and starts a fresh one. */
  SinkRecorder next() {
    SinkRecorder done = current;
    current = new SinkRecorder(onDelivered, delivery);
    return done;
  }

  /**
   * Waits until the current recorder has accounted for (delivered, dropped or rejected) every
   * frame {@code sentPerFlow} says was sent.
   *
   * @return false when {@code timeout} passed first
   */
  boolean awaitAccounted(Map<String, Long> sentPerFlow, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (accounted(current, sentPerFlow)) {
        return true;
      }
      Thread.sleep(20);
    }
    return accounted(current, sentPerFlow);
  }

  private static boolean accounted(SinkRecorder recorder, Map<String, Long> sentPerFlow) {
    Map<String, FlowAccount> flows = new java.util.HashMap<>();
    recorder.summary().flows().forEach(f -> flows.put(f.flow(), f));
    for (Map.Entry<String, Long> e : sentPerFlow.entrySet()) {
      FlowAccount f = flows.get(e.getKey());
      if (f == null || f.delivered() + f.dropped() + f.rejected() < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
