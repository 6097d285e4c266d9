package io.edgepipe.producer;

import io.edgepipe.api.EpochClock;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.producer.source.FrameSource;
import io.edgepipe.producer.source.RawImage;
import io.edgepipe.runtime.Downstream;
import io.edgepipe.runtime.FrameRejectedException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The first microservice of the chain: pulls images from a source, encodes them for the first
 * hop and streams them to the first stage, one flow per source. Each frame carries a gap-free
 * per-flow sequence number and a "producer" timing record.
 */
public final class Producer {
  private final PipelineSpec spec;
  private final Downstream downstream;
  private final String node;
  /**
   * Unpaced, a frame is read from the source only once the first hop can take it
   * ({@link Downstream#awaitRoom}), so its latency starts when it is read, not one window's worth of
   * frames earlier: reading it first and then blocking in {@code send} aged every frame by the wait
   * for a window place (the embedded thesis chain at full speed, session 14, two alternating runs:
   * p50 8.9/8.8 ms read ahead, 6.8/6.2 ms read when taken, fps the same). A paced source is read by
   * the clock, and a frame that then waits has really waited; a source in realtime delivery drops
   * instead of waiting, so neither changes. {@code -Dedgepipe.producer.readAhead=true} reads ahead
   * again, to compare.
   */
  private static final boolean READ_AHEAD = Boolean.getBoolean("edgepipe.producer.readAhead");

  private final AtomicLong sent = new AtomicLong();
  private final java.util.Map<String, Long> sentPerFlow = new java.util.concurrent.ConcurrentHashMap<>();

  public Producer(PipelineSpec spec, Downstream downstream, String node) {
    this.spec = spec;
    this.downstream = downstream;
    this.node = node;
  }

  /**
   * Streams one flow until the source ends or {@code maxFrames} have been sent.
   *
   * @param fps      frames per second to pace at (real time), or 0 for as fast as the chain takes them
   * @param progress called after each frame with the flow's count so far (may be null)
   * @return frames sent on this flow
   */
  public long stream(String flowId, FrameSource source, double fps, long maxFrames, Runnable progress) {
    FrameEncoder encoder = new FrameEncoder(spec.input(), spec.inputType(), spec.inputCodec());
    long periodNanos = fps > 0 ? (long) (TimeUnit.SECONDS.toNanos(1) / fps) : 0;
    long start = System.nanoTime();
    long seq = 0;
    while (seq < maxFrames) {
      if (periodNanos > 0) {
        long due = start + seq * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      if (periodNanos == 0 && !READ_AHEAD) {
        downstream.awaitRoom(); // as fast as the chain takes them: read a frame when it can be taken
      }
      Optional<RawImage> image = source.next();
      if (image.isEmpty()) {
        break;
      }
      long capture = image.get().captureTimeMicros();
      Frame.Builder frame = encoder.encode(image.get()).setFlowId(flowId).setSeq(seq++);
      long encoded = EpochClock.nowMicros();
      frame.addTimings(StageTiming.newBuilder().setStage("producer").setNode(node)
          .setReceivedUs(capture).setProcessedUs(encoded).setProcessCpuUs(io.edgepipe.api.ProcessCpuClock.nowMicros())
          .setSentUs(EpochClock.nowMicros()));
      try {
        downstream.send(frame.build());
        sent.incrementAndGet();
      } catch (FrameRejectedException e) {
        // only when the client is closing or interrupted: the frame is numbered but never
        // accounted for, so the run reports it as lost
      }
      sentPerFlow.put(flowId, seq);
      if (progress != null) {
        progress.run();
      }
    }
    sentPerFlow.put(flowId, seq);
    return seq;
  }

  /** Frames numbered per flow (each one sent, or counted as failed to send). */
  public java.util.Map<String, Long> sentPerFlow() {
    return java.util.Map.copyOf(sentPerFlow);
  }

  /** Frames handed to the first stage's transport, all flows. */
  public long sent() {
    return sent.get();
  }

}
