package io.edgepipe.runtime;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;

/**
 * The one place a tombstone is built: a frame's header (flow, seq, capture time) without its
 * payload, with the reason it went no further. Every drop, rejection and loss in the runtime
 * goes through here, so the record the sink accounts for has one shape and one size limit.
 */
public final class Tombstones {
  /** Longest reason kept; the validator refuses longer ones from a sender. */
  public static final int MAX_REASON_LENGTH = 1024;

  private Tombstones() {}

  /**
   * The tombstone of {@code frame}; a frame that already is one keeps its own reason. Always a
   * fresh message holding copies of the header only, so it outlives the frame's buffers.
   */
  public static Frame of(Frame frame, String reason) {
    if (!frame.getDropReason().isEmpty()) {
      reason = frame.getDropReason();
    }
    return Frame.newBuilder().setFlowId(truncatedFlowId(frame.getFlowId())).setSeq(frame.getSeq())
        .setCaptureTimeUs(frame.getCaptureTimeUs())
        .setDropReason(reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason)
        .build();
  }

  /** A hostile 1 MB flow id is not echoed on in full. */
  static String truncatedFlowId(String flowId) {
    return flowId.length() <= FrameValidator.MAX_FLOW_ID_LENGTH ? flowId
        : flowId.substring(0, FrameValidator.MAX_FLOW_ID_LENGTH);
  }
}
