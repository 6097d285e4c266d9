package io.edgepipe.runtime;

import io.edgepipe.api.HopBudget;
import io.edgepipe.api.PipelineSpec;

/**
 * How many frames a hop's sender may have unanswered, derived from the chain instead of a fixed
 * number per hop.
 *
 * <p>A stage answers for a frame only once its own next hop has answered for the output
 * (custody, in both delivery modes), so a hop's unanswered frames are the frames anywhere
 * downstream of it, and this one window is both the hop's flow control (how far its sender may
 * run ahead) and its custody window (what it keeps to re-send after a reconnect): reliable
 * delivery re-sends exactly the frames the window holds, so bounding the window bounds custody
 * too, and never weakens it. Hop {@code i} gets one frame per service after it (the sink
 * counted) ({@link HopBudget}): 4, 3, 2, 1 for the thesis chain. The
 * producer's window therefore bounds the whole chain to what keeps its slowest service busy, so
 * at full speed a frame waits behind about one frame, not behind queues of frames. Each
 * service's read-ahead, its own flow
 * control towards its upstream, is a separate and smaller bound: one frame beyond the one it
 * computes ({@link FrameStreamEndpoint#PREFETCH}).
 *
 * <p>A chain whose services span hosts keeps one frame in transit per hop besides (its launcher
 * says so, see {@link HopBudget}): over a link a frame's bytes hold a place for a service time or
 * more. A hop that crosses a link with delay needs the link's bandwidth-delay product in flight
 * besides (-Dedgepipe.window.linkBytes, {@link HopBudget#linkBytes}; 0 by default, right on one
 * host and wherever a frame's transfer takes longer than the round trip). Large frames are
 * further capped by a byte budget per hop, at least one frame per service downstream so the
 * chain can still fill.
 */
public final class HopWindow {
  /** Override for every hop (-Dedgepipe.window.frames=N), e.g. to compare with another window. */
  private static final int OVERRIDE = Integer.getInteger("edgepipe.window.frames", 0);
  /** Most payload bytes one hop keeps unanswered (-Dedgepipe.window.bytes). */
  private static final long BYTE_BUDGET = Long.getLong("edgepipe.window.bytes", HopBudget.BYTE_BUDGET);
  /** The bytes a link downstream keeps in transit (-Dedgepipe.window.linkBytes): rate x round trip. */
  private static final long LINK_BYTES = Long.getLong("edgepipe.window.linkBytes", 0);
  /**
   * Frames in transit beyond one per service: none on one host; one (5, 4, 3, 2) where the launcher
   * of a chain across hosts says so (-Dedgepipe.window.transit, or EDGEPIPE_WINDOW_TRANSIT in a
   * container; {@link HopBudget#FRAMES_IN_TRANSIT_ACROSS_HOSTS}).
   */
  private static final int IN_TRANSIT = Integer.getInteger(HopBudget.TRANSIT_PROPERTY,
      inTransitFromEnvironment(System.getenv(HopBudget.TRANSIT_ENV)));
  /** The window of a sender that does not know its place in a chain (tools, tests): 8 frames. */
  public static final int DEFAULT = OVERRIDE > 0 ? OVERRIDE : 8;

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

  static int inTransitFromEnvironment(String value) {
    if (value == null || value.isBlank()) {
      return HopBudget.FRAMES_IN_TRANSIT;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(HopBudget.TRANSIT_ENV + " must be a whole number of frames, not '" + value + "'");
    }
  }

  static int frames(int servicesDownstream, long frameBytes) {
    if (OVERRIDE > 0) {
      return OVERRIDE;
    }
    return HopBudget.frames(servicesDownstream, frameBytes, BYTE_BUDGET, LINK_BYTES, IN_TRANSIT);
  }
}
