package io.edgepipe.api;

/**
 * The arithmetic of a hop's window, shared by the runtime (which sizes each sender's window and
 * shared-memory ring with it, see {@code io.edgepipe.runtime.HopWindow} for why) and the planner
 * (which sizes the memory volume that holds the rings of the stages co-located in one Pod).
 */
public final class HopBudget {
  /** One frame being computed and one read ahead, per service. */
  public static final int FRAMES_PER_SERVICE = 2;
  /** Most payload bytes one hop keeps unanswered, by default. */
  public static final long BYTE_BUDGET = 512L << 20;

  private HopBudget() {}

  /** The payload size of hop {@code hop}'s frames: hop 0 leaves the producer, the last feeds the sink. */
  public static long payloadBytes(PipelineSpec spec, int hop) {
    return spec.shapes().get(hop).elements() * ElementType.sizeOf(spec.hopTypes().get(hop));
  }

  /** The services after hop {@code hop}: its layers downstream and the sink. */
  public static int servicesDownstream(PipelineSpec spec, int hop) {
    return spec.layers().size() - hop + 1;
  }

  /**
   * Frames a hop may have unanswered: {@link #FRAMES_PER_SERVICE} per service downstream, capped
   * by {@code byteBudget}, but never less than one per service downstream.
   */
  public static int frames(int servicesDownstream, long frameBytes, long byteBudget) {
    int byChain = FRAMES_PER_SERVICE * Math.max(1, servicesDownstream);
    long byBytes = frameBytes <= 0 ? byChain : byteBudget / frameBytes;
    return (int) Math.max(Math.max(1, servicesDownstream), Math.min(byChain, byBytes));
  }

  /**
   * Bytes of hop {@code hop}'s shared-memory ring at the default budget: one slot per frame of its
   * window, and one for the output its sender computes in place while the window is full.
   */
  public static long ringBytes(PipelineSpec spec, int hop) {
    long payload = payloadBytes(spec, hop);
    return (frames(servicesDownstream(spec, hop), payload, BYTE_BUDGET) + 1) * payload;
  }
}
