package io.edgepipe.api;

import java.util.Locale;

/**
 * How a pipeline treats frames it cannot keep up with.
 *
 * <ul>
 *   <li>{@link #REALTIME}: a camera does not wait. Every service has a small input queue; when it
 *       falls behind, the oldest queued frame is dropped, and a frame older than the spec's
 *       deadline is dropped rather than processed. Each drop is counted with its reason and
 *       stage and travels to the sink as a tombstone.
 *   <li>{@link #RELIABLE}: nothing is dropped. Backpressure holds the producer; a sender keeps
 *       every frame until the next hop has answered for it (and a stage answers only after its
 *       own next hop did), re-sends them after a reconnect, and the sink delivers each
 *       (flow, seq) exactly once, in order.
 * </ul>
 */
public enum Delivery {
  REALTIME,
  RELIABLE;

  public static Delivery parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("delivery must be realtime or reliable, not '" + text + "'");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
