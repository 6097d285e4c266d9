package io.edgepipe.runtime;

import io.edgepipe.api.Delivery;

/**
 * What the delivery mode changes in the runtime, asked in one place instead of branching on
 * {@link Delivery} in the client, the handler and the stream endpoint. The answers are the two
 * modes' rules (see {@link Delivery}): reliable waits and re-sends, realtime drops and reports.
 */
public enum DeliveryPolicy {
  RELIABLE(Delivery.RELIABLE),
  REALTIME(Delivery.REALTIME);

  private final Delivery mode;

  DeliveryPolicy(Delivery mode) {
    this.mode = mode;
  }

  public static DeliveryPolicy of(Delivery mode) {
    return mode == Delivery.REALTIME ? REALTIME : RELIABLE;
  }

  public Delivery mode() {
    return mode;
  }

  /**
   * A sender whose next hop is down waits for it to come back (reliable), or reports the frame
   * lost at once with a tombstone sent once the hop is back (realtime: the source does not wait).
   */
  public boolean waitsForNextHop() {
    return this == RELIABLE;
  }

  /**
   * When a stream to the next hop fails, its unanswered frames are kept and re-sent on the next
   * stream (reliable), or become "lost in flight" tombstones (realtime).
   */
  public boolean resendsAfterReconnect() {
    return this == RELIABLE;
  }

  /**
   * A producer that must never wait (a camera) drops a frame the next hop cannot take at once,
   * recording its tombstone locally; only in realtime delivery.
   */
  public boolean sourceDropsWhenBusy() {
    return this == REALTIME;
  }

  /**
   * A service reads frames as they come into a small inbox that drops the oldest when it falls
   * behind (realtime), or reads one frame ahead of its compute, holding its sender back (reliable).
   */
  public boolean dropsOldestWhenBehind() {
    return this == REALTIME;
  }
}
