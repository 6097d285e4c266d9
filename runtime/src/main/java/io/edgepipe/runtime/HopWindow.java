package io.edgepipe.runtime;

import io.edgepipe.api.HopBudget;
import io.edgepipe.api.PipelineSpec;

/**
 * How many frames a hop's sender may have unanswered, derived from the chain instead of a fixed
 * number per hop.
 *
 * <p>A stage answers for a frame only once its own next hop has answered for the output
 * (custody, in both delivery modes), so a hop's unanswered frames are the frames anywhere
 * downstream of it. Giving hop {@code i} a window of {@link #FRAMES_PER_SERVICE} frames per
 * service after it (the sink counted) lets every service hold one frame computing and one read
 * ahead, and no more: the first hop's window bounds the whole chain to about two frames per
 * service, so latency at full speed stays near the sum of service times instead of filling
 * 32-frame queues. The custody window (what the sender keeps for re-sending) and the read-ahead
 * of each service (its flow control) are different bounds on purpose: the first spans the rest
 * of the chain, the second is one frame per service ({@link FrameStreamEndpoint#PREFETCH}).
 *
 * <p>Large frames are further capped by a byte budget per hop, at least one frame per service
 * downstream so the chain can still fill.
 */
public final class HopWindow {
  /** One frame being computed and one read ahead, per service. */
  public static final int FRAMES_PER_SERVICE = HopBudget.FRAMES_PER_SERVICE;
  /** Override for every hop (-Dedgepipe.window.frames=N), e.g. to compare with the old 32. */
  private static final int OVERRIDE = Integer.getInteger("edgepipe.window.frames", 0);
  /** Most payload bytes one hop keeps unanswered (-Dedgepipe.window.bytes). */
  private static final long BYTE_BUDGET = Long.getLong("edgepipe.window.bytes", HopBudget.BYTE_BUDGET);
  /** The window of a sender that does not know its place in a chain (tools, tests). */
  public static final int DEFAULT = OVERRIDE > 0 ? OVERRIDE : 4 * FRAMES_PER_SERVICE;

  private HopWindow() {}

  /**
   * The window of hop {@code hop} of {@code spec}: hop 0 is producer -> first layer, the last hop
   * feeds the sink.
   */
  public static int forHop(PipelineSpec spec, int hop) {
    return frames(HopBudget.servicesDownstream(spec, hop), payloadBytes(spec, hop));
  }

  /** The payload size of hop {@code hop}'s frames (the size of a shared-memory slot for it). */
  public static long payloadBytes(PipelineSpec spec, int hop) {
    return HopBudget.payloadBytes(spec, hop);
  }

  static int frames(int servicesDownstream, long frameBytes) {
    if (OVERRIDE > 0) {
      return OVERRIDE;
    }
    return HopBudget.frames(servicesDownstream, frameBytes, BYTE_BUDGET);
  }
}
