package io.edgepipe.runtime;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.ProcessCpuClock;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.StageTiming;
import io.grpc.Status;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every service of the chain does with one incoming frame, whatever its transport: stamp
 * the receive time, validate the header, drop it if it is past the deadline, run the stage's
 * {@link FrameProcessor}, stamp the processed time, forward the output (whose flow control may
 * block here: that is the backpressure), and answer the sender.
 *
 * <p>A bad frame is answered with INVALID_ARGUMENT, counted, and followed downstream by a
 * tombstone so that the sink accounts for it; the stage goes on with the next frame. In reliable
 * delivery the answer is given only once the next hop has answered for the output.
 */
public final class FrameHandler implements AutoCloseable {
  private static final Logger log = Logger.getLogger(FrameHandler.class.getName());

  private final String stage;
  private final String node;
  private final FrameValidator validator;
  private final FrameProcessor processor;
  private final Downstream downstream; // null for the sink
  private final StageMetrics metrics;
  private final DeliveryPolicy policy;
  private final long deadlineMicros; // 0 = none
  private final Object computeLock = new Object();
  private StageInbox inbox; // realtime delivery's input queue, made on first use

  /** Frames a realtime service lets wait before it drops the oldest (-Dedgepipe.inbox=N). */
  static final int INBOX_CAPACITY = Integer.getInteger("edgepipe.inbox", 2);

  public FrameHandler(String stage, String node, FrameValidator validator, FrameProcessor processor,
      Downstream downstream, StageMetrics metrics) {
    this(stage, node, validator, processor, downstream, metrics, Delivery.RELIABLE, 0);
  }

  public FrameHandler(String stage, String node, FrameValidator validator, FrameProcessor processor,
      Downstream downstream, StageMetrics metrics, Delivery delivery, long deadlineMillis) {
    this.stage = stage;
    this.node = node;
    this.validator = validator;
    this.processor = processor;
    this.downstream = downstream;
    this.metrics = metrics;
    this.policy = DeliveryPolicy.of(delivery);
    this.deadlineMicros = deadlineMillis * 1_000;
  }

  public StageMetrics metrics() {
    return metrics;
  }

  public String stage() {
    return stage;
  }

  public Delivery delivery() {
    return policy.mode();
  }

  /** Whether the processor keeps its input after {@code process} returns (see {@link FrameProcessor#keepsInput}). */
  boolean processorKeepsInput() {
    return processor.keepsInput();
  }

  /** The realtime input queue shared by every upstream stream, or null in reliable delivery. */
  synchronized StageInbox inbox() {
    if (!policy.dropsOldestWhenBehind()) {
      return null;
    }
    if (inbox == null) {
      inbox = new StageInbox(this, INBOX_CAPACITY);
    }
    return inbox;
  }

  /** Handles a frame and calls {@code answer} exactly once, now or when the next hop has answered. */
  public void handle(Frame in, Consumer<FrameAck> answer) {
    long receivedUs = EpochClock.nowMicros();
    metrics.frameIn();
    String problem = validator.problem(in);
    if (problem != null) {
      metrics.rejected();
      String message = stage + ": " + problem;
      forwardTombstone(in, "rejected at " + message);
      answer.accept(ack(in, Status.Code.INVALID_ARGUMENT, message));
      return;
    }
    if (!in.getDropReason().isEmpty()) {
      forwardTombstoneThenAnswer(Tombstones.of(in, ""), answer); // accounted for further down
      return;
    }
    if (deadlineMicros > 0 && receivedUs - in.getCaptureTimeUs() > deadlineMicros) {
      drop(in, "deadline at " + stage);
      answerAfterForward(answer, ack(in, Status.Code.OK, "dropped: past the deadline"), null);
      return;
    }
    Frame.Builder out;
    try {
      out = compute(in, receivedUs, true);
    } catch (FrameRejectedException e) {
      forwardTombstone(in, "failed at " + stage + ": " + e.getMessage());
      answer.accept(ack(in, e.code(), e.getMessage()));
      return;
    }
    FrameAck ok = ack(in, Status.Code.OK, "");
    if (out == null) { // the sink: delivered here
      metrics.frameOut();
      answer.accept(ok);
      return;
    }
    long processedUs = lastTiming(out).getProcessedUs();
    Frame sent = stampSent(out).build();
    try {
      // Custody passes on when the next hop answers, in both modes: a frame inside a stage that
      // crashes stays unanswered upstream, where it is re-sent (reliable) or reported lost
      // (realtime) instead of vanishing. Only then is an output the processor lent given back:
      // until the answer, a re-send after a reconnect reads it.
      downstream.send(sent, () -> {
        processor.outputDone(sent);
        answer.accept(ok);
      });
    } catch (FrameRejectedException e) {
      processor.outputDone(sent); // refused before the next hop's client took it: nobody reads it
      metrics.failed();
      if (!goingDown(e)) {
        answer.accept(ack(in, e.code(), e.getMessage()));
      }
      return;
    }
    metrics.sendMicros(EpochClock.nowMicros() - processedUs);
    metrics.frameOut();
  }

  /** Drops a valid frame (deadline, full queue): counted here, accounted for at the sink. */
  public void drop(Frame in, String reason) {
    metrics.dropped();
    forwardTombstone(in, reason);
  }

  /** Handles a frame from the unary call: process and return the output (nothing is forwarded). */
  public Frame processOnly(Frame in) {
    metrics.frameIn();
    String problem = validator.problem(in);
    if (problem != null) {
      metrics.rejected();
      throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, stage + ": " + problem);
    }
    Frame.Builder out = compute(in, EpochClock.nowMicros(), false); // the caller keeps what it gets
    metrics.frameOut();
    return out == null ? in : stampSent(out).build();
  }

  /** @param lending the output may be lent by the processor; the caller then reports when it is done with */
  private Frame.Builder compute(Frame in, long receivedUs, boolean lending) {
    if (in.getTimingsCount() > 0) {
      metrics.receiveMicros(receivedUs - in.getTimings(in.getTimingsCount() - 1).getSentUs());
    }
    Frame.Builder out;
    try {
      synchronized (computeLock) { // one device per stage; frames of several streams take turns
        out = lending ? processor.processLending(in) : processor.process(in);
      }
    } catch (FrameRejectedException e) {
      if (e.code() == Status.Code.INVALID_ARGUMENT) {
        metrics.rejected();
      } else {
        metrics.failed();
      }
      throw e;
    } catch (io.edgepipe.vgpu.GpuException e) {
      // the device's own status (UNAVAILABLE while a vGPU backend restarts, RESOURCE_EXHAUSTED
      // over quota) tells the sender whether trying again can help; INTERNAL would not
      metrics.failed();
      Status.Code code = gpuStatus(e.code());
      log.warning(stage + ": frame " + in.getFlowId() + "/" + in.getSeq() + " failed on the device: " + e.getMessage());
      throw new FrameRejectedException(code, stage + ": device call failed: " + e.getMessage());
    } catch (RuntimeException e) {
      metrics.failed();
      log.log(Level.WARNING, stage + ": processing frame " + in.getFlowId() + "/" + in.getSeq() + " failed", e);
      throw new FrameRejectedException(Status.Code.INTERNAL, stage + ": processing failed: " + e);
    }
    long processedUs = EpochClock.nowMicros();
    metrics.processMicros(processedUs - receivedUs);
    if (out == null) {
      return null;
    }
    return out
        .setFlowId(in.getFlowId())
        .setSeq(in.getSeq())
        .setCaptureTimeUs(in.getCaptureTimeUs())
        .clearTimings()
        .addAllTimings(in.getTimingsList())
        .addTimings(StageTiming.newBuilder()
            .setStage(stage).setNode(node).setReceivedUs(receivedUs).setProcessedUs(processedUs)
            .setProcessCpuUs(ProcessCpuClock.nowMicros()));
  }

  private static Status.Code gpuStatus(String code) {
    try {
      return Status.Code.valueOf(code);
    } catch (IllegalArgumentException e) {
      return Status.Code.INTERNAL;
    }
  }

  private void forwardTombstone(Frame in, String reason) {
    if (downstream == null) {
      processor.onTombstone(Tombstones.of(in, reason));
      return;
    }
    try {
      downstream.send(Tombstones.of(in, reason));
    } catch (FrameRejectedException e) {
      log.warning(stage + ": could not forward the tombstone of " + in.getSeq() + ": " + e.getMessage());
    }
  }

  private void forwardTombstoneThenAnswer(Frame tombstone, Consumer<FrameAck> answer) {
    FrameAck ok = ack(tombstone, Status.Code.OK, "");
    if (downstream == null) {
      processor.onTombstone(tombstone);
      answer.accept(ok);
      return;
    }
    answerAfterForward(answer, ok, tombstone);
  }

  /** Forwards {@code frame} if given, answering when custody has passed on (reliable) or at once. */
  private void answerAfterForward(Consumer<FrameAck> answer, FrameAck ack, Frame frame) {
    if (frame == null || downstream == null) {
      answer.accept(ack);
      return;
    }
    try {
      downstream.send(frame, () -> answer.accept(ack));
    } catch (FrameRejectedException e) {
      if (!goingDown(e)) {
        answer.accept(FrameAck.newBuilder(ack).setCode(e.code().value()).setMessage(e.getMessage()).build());
      }
    }
  }

  /**
   * This stage's own next-hop client is closing: the stage is going down (killed, or stopped
   * mid-frame). It must not answer: an answer, even an error, ends the upstream's custody, and the
   * upstream only logs a refusal, so the frame would vanish. Unanswered, it is re-sent once the
   * upstream reconnects (reliable) or accounted as lost in flight (realtime).
   */
  private static boolean goingDown(FrameRejectedException e) {
    return e.code() == Status.Code.UNAVAILABLE;
  }

  private static StageTiming.Builder lastTiming(Frame.Builder f) {
    return f.getTimingsBuilder(f.getTimingsCount() - 1);
  }

  /** The send time is stamped just before the frame is handed to the transport. */
  private static Frame.Builder stampSent(Frame.Builder f) {
    lastTiming(f).setSentUs(EpochClock.nowMicros());
    return f;
  }

  private static FrameAck ack(Frame in, Status.Code code, String message) {
    return FrameAck.newBuilder().setFlowId(Tombstones.truncatedFlowId(in.getFlowId())).setSeq(in.getSeq())
        .setCode(code.value()).setMessage(message).build();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (inbox != null) {
        inbox.close();
      }
    }
    processor.close();
  }
}
