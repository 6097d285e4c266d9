package io.edgepipe.runtime;

import io.edgepipe.api.EpochClock;
import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.StageTiming;
import io.grpc.Status;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every stage does with one incoming frame, whatever its transport: stamp the receive
 * time, validate the header, run the stage's {@link FrameProcessor}, stamp the processed time,
 * forward to the next hop (whose flow control may block here: that is the backpressure), and
 * answer with an ack. A bad frame is answered with INVALID_ARGUMENT and counted; the stage goes
 * on with the next one.
 */
public final class FrameHandler implements AutoCloseable {
  private static final Logger log = Logger.getLogger(FrameHandler.class.getName());

  private final String stage;
  private final String node;
  private final FrameValidator validator;
  private final FrameProcessor processor;
  private final Downstream downstream; // null for the sink
  private final StageMetrics metrics;
  private final Object computeLock = new Object();

  public FrameHandler(String stage, String node, FrameValidator validator, FrameProcessor processor,
      Downstream downstream, StageMetrics metrics) {
    this.stage = stage;
    this.node = node;
    this.validator = validator;
    this.processor = processor;
    this.downstream = downstream;
    this.metrics = metrics;
  }

  public StageMetrics metrics() {
    return metrics;
  }

  public String stage() {
    return stage;
  }

  /** Handles a frame from a stream: process, forward, and say how it went. */
  public FrameAck handle(Frame in) {
    long receivedUs = EpochClock.nowMicros();
    try {
      Frame.Builder out = compute(in, receivedUs);
      if (out != null) {
        long processedUs = lastTiming(out).getProcessedUs();
        stampSent(out);
        downstream.send(out.build());
        metrics.sendMicros(EpochClock.nowMicros() - processedUs);
      }
      metrics.frameOut();
      return ack(in, Status.Code.OK, "");
    } catch (FrameRejectedException e) {
      return ack(in, e.code(), e.getMessage());
    }
  }

  /** Handles a frame from the unary call: process and return the output (nothing is forwarded). */
  public Frame processOnly(Frame in) {
    Frame.Builder out = compute(in, EpochClock.nowMicros());
    metrics.frameOut();
    return out == null ? in : stampSent(out).build();
  }

  private Frame.Builder compute(Frame in, long receivedUs) {
    metrics.frameIn();
    String problem = validator.problem(in);
    if (problem != null) {
      metrics.rejected();
      throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, stage + ": " + problem);
    }
    if (in.getTimingsCount() > 0) {
      metrics.receiveMicros(receivedUs - in.getTimings(in.getTimingsCount() - 1).getSentUs());
    }
    Frame.Builder out;
    try {
      synchronized (computeLock) { // one device per stage; frames of several streams take turns
        out = processor.process(in);
      }
    } catch (FrameRejectedException e) {
      if (e.code() == Status.Code.INVALID_ARGUMENT) {
        metrics.rejected();
      } else {
        metrics.failed();
      }
      throw e;
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
            .setStage(stage).setNode(node).setReceivedUs(receivedUs).setProcessedUs(processedUs));
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
    return FrameAck.newBuilder().setFlowId(truncate(in.getFlowId())).setSeq(in.getSeq())
        .setCode(code.value()).setMessage(message).build();
  }

  /** A hostile 1 MB flow id is not echoed back in full. */
  private static String truncate(String flowId) {
    return flowId.length() <= FrameValidator.MAX_FLOW_ID_LENGTH ? flowId
        : flowId.substring(0, FrameValidator.MAX_FLOW_ID_LENGTH);
  }

  @Override
  public void close() {
    processor.close();
  }
}
