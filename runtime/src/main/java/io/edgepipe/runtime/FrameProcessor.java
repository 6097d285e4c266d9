package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;

/**
 * The one thing that differs between stages: what is done with a valid frame. The runtime has
 * already checked the header and payload length against the shape and type.
 */
public interface FrameProcessor extends AutoCloseable {

  /**
   * Computes this stage's output for {@code in}: returns a builder holding the output's dtype,
   * shape and data (the runtime copies the header fields and timings), or null when nothing goes
   * downstream (the sink). Throws {@link FrameRejectedException} for a frame it cannot handle.
   */
  Frame.Builder process(Frame in);

  /** A tombstone reached the end of the chain (only the sink, which forwards nothing, gets these). */
  default void onTombstone(Frame tombstone) {}

  @Override
  default void close() {}
}
