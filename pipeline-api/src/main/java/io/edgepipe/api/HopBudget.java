package io.edgepipe.api;

/**
 * The arithmetic of a hop's window, shared by the runtime (which sizes each sender's window and
 * shared-memory ring with it, see {@code io.edgepipe.runtime.HopWindow} for why) and the planner
 * (which sizes the memory volume that holds the rings of the stages co-located in one Pod).
 *
 * <p>Why one frame per service: a stage answers for a frame only once its next hop has, so a
 * hop's window bounds every frame anywhere downstream of it. At the rate of the slowest service
 * each service downstream holds at most one frame at a time (its service time is at most the
 * slowest one's, Little's law), so one frame per service keeps the slowest busy. A frame in
 * transit between two services needs no place of its own: a hand-over (a slot reference on one
 * host, a frame's bytes on a fast link) is short beside a service time, and each service already
 * reads one frame ahead of the one it computes. More frames add only queueing: at full speed they
 * wait in front of the slowest service, and p50 latency grows by one of its service times per
 * extra frame (`run --processes` at full speed on the 2-core machine, loaded: a frame queued
 * behind 3.0-3.3 others with 5 frames at the producer, 1.7-2.4 with 4). A link between hosts
 * with a round trip {@code d} keeps {@code bandwidth * d} bytes in transit besides:
 * {@code linkBytes}.
 *
 * <p>Across hosts a hand-over is not short: a frame's bytes wait in the sender's socket and the
 * link's queue for as long as a service time or more (1 MB at 10 Mbit/s: 0.84 s), holding a place
 * of every window upstream that no service is using. Without a place of its own a link-bound hop
 * sends its next frame only once the last one is answered and the link idles in between (testbed,
 * ESSS at 10 Mbit/s: 12 fps with windows 4, 3, 2, 1; 17.6 with 5, 4, 3, 2). So a launcher that
 * starts a chain across hosts gives every service of it {@link #FRAMES_IN_TRANSIT_ACROSS_HOSTS}
 * ({@link #transitAcrossHostsOption()} or the {@link #TRANSIT_ENV} variable): every service,
 * because the producer's window bounds the whole chain, whichever hop crosses.
 */
public final class HopBudget {
  /** Frames beyond one per service downstream for hand-overs between services: none (see above). */
  public static final int FRAMES_IN_TRANSIT = 0;
  /** Frames in transit per hop for a chain whose services span hosts (see above). */
  public static final int FRAMES_IN_TRANSIT_ACROSS_HOSTS = 1;
  /** The system property that sets the frames in transit per hop. */
  public static final String TRANSIT_PROPERTY = "edgepipe.window.transit";
  /** The environment variable that sets them where a JVM option is awkward (containers). */
  public static final String TRANSIT_ENV = "EDGEPIPE_WINDOW_TRANSIT";
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

  /** {@link #frames(int, long, long, long)} for hops within one host (no link's bytes in transit). */
  public static int frames(int servicesDownstream, long frameBytes, long byteBudget) {
    return frames(servicesDownstream, frameBytes, byteBudget, 0);
  }

  /**
   * Frames a hop may have unanswered: one per service downstream, {@link #FRAMES_IN_TRANSIT} more,
   * and the frames a link's bandwidth-delay product {@code linkBytes} holds (0 within one host);
   * capped by {@code byteBudget}, but never less than one per service downstream.
   */
  public static int frames(int servicesDownstream, long frameBytes, long byteBudget, long linkBytes) {
    return frames(servicesDownstream, frameBytes, byteBudget, linkBytes, FRAMES_IN_TRANSIT);
  }

  /** As {@link #frames(int, long, long, long)} with {@code inTransit} frames in transit instead of the default. */
  public static int frames(int servicesDownstream, long frameBytes, long byteBudget, long linkBytes, int inTransit) {
    int services = Math.max(1, servicesDownstream);
    long onLink = frameBytes <= 0 || linkBytes <= 0 ? 0 : (linkBytes + frameBytes - 1) / frameBytes;
    long byChain = services + Math.max(0, inTransit) + onLink;
    long byBytes = frameBytes <= 0 ? byChain : byteBudget / frameBytes;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(services, Math.min(byChain, byBytes)));
  }

  /** The JVM option a launcher gives every service of a chain that spans hosts. */
  public static String transitAcrossHostsOption() {
    return "-D" + TRANSIT_PROPERTY + "=" + FRAMES_IN_TRANSIT_ACROSS_HOSTS;
  }

  /** The bytes a link keeps in transit for a window: its rate times the round trip (twice the one-way delay). */
  public static long linkBytes(long bitsPerSecond, java.time.Duration oneWayDelay) {
    return bitsPerSecond / 8 * 2 * oneWayDelay.toNanos() / 1_000_000_000L;
  }

  /**
   * Bytes of hop {@code hop}'s shared-memory ring at the default budget with {@code inTransit}
   * frames in transit: one slot per frame of its window, and one for the output its sender
   * computes in place while the window is full.
   */
  public static long ringBytes(PipelineSpec spec, int hop, int inTransit) {
    long payload = payloadBytes(spec, hop);
    return (frames(servicesDownstream(spec, hop), payload, BYTE_BUDGET, 0, inTransit) + 1) * payload;
  }
}
