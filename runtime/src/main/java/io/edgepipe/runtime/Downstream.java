package io.edgepipe.runtime;

import io.edgepipe.runtime.shm.SharedRing;
import io.edgepipe.api.proto.Frame;

/** Where a stage's output goes. {@link #send} blocks while the next hop cannot take more. */
public interface Downstream extends AutoCloseable {
  /**
   * Hands a frame to the next hop.
   *
   * @param onAnswered run once the next hop has answered for this frame (may be null); in
   *                   reliable delivery this is the moment the frame is in the next hop's custody
   */
  void send(Frame frame, Runnable onAnswered);

  default void send(Frame frame) {
    send(frame, null);
  }

  /**
   * Where the next output of {@code bytes} may be computed in place: a slot of the shared-memory
   * ring to the next hop, or null (payloads go inline, or no slot is free). A reserved output
   * that is then not sent through that ring gets its slot back in {@link #send}.
   */
  default SharedRing.Reservation reserveOutput(int bytes) {
    return null;
  }

  /**
   * Blocks until {@link #send} would take a frame without waiting (a source that reads its next
   * frame only then does not age it in front of a full window). Returns at once where send never
   * waits (a source that drops when the next hop is busy) or when closing.
   */
  default void awaitRoom() {}

  /** Waits until every frame sent has been answered by the next hop, then disconnects. */
  @Override
  void close();

  /** Disconnects at once, dropping whatever is in flight (a crash, for fault tests). */
  default void abort() {
    close();
  }
}
