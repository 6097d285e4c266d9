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

  /**
   * As {@link #process}, but the output's payload may be lent: memory of the processor's own that
   * its device wrote the output into (on a vGPU whose backend shares this host, a region of the
   * session's shared memory), which spares copying it into a fresh buffer. The caller promises to
   * call {@link #outputDone} with the built output once nothing reads its payload any more (in a
   * chain: the next hop has answered for it, or it was never sent); until then the processor does
   * not reuse that memory. By default the output of {@link #process}, which owns nothing lent.
   */
  default Frame.Builder processLending(Frame in) {
    return process(in);
  }

  /**
   * {@code out}, built from what {@link #processLending} returned, is read by nobody any more:
   * memory lent to its payload goes back to the processor. At most once per output, from any thread.
   */
  default void outputDone(Frame out) {}

  /**
   * Whether this processor may still use {@code in} (its payload) after {@link #process}
   * returns: kept for later, or passed on inside its output. A frame read off the network may
   * borrow the transport's buffers, which are released once {@code process} returns; for a
   * processor that keeps its input, the runtime hands it a private copy instead. A processor that
   * only reads the payload while it computes returns false and gets it without a copy.
   */
  default boolean keepsInput() {
    return true;
  }

  /** {@code processor}, declared to read its input only while it computes (no copy needed). */
  static FrameProcessor readingInPlace(FrameProcessor processor) {
    return new FrameProcessor() {
      @Override
      public Frame.Builder process(Frame in) {
        return processor.process(in);
      }

      @Override
      public boolean keepsInput() {
        return false;
      }

      @Override
      public void onTombstone(Frame tombstone) {
        processor.onTombstone(tombstone);
      }

      @Override
      public void close() {
        processor.close();
      }
    };
  }

  /**
   * Told once where this processor's outputs go: a processor that can write its output straight
   * into the next hop's shared memory asks {@code next} for a slot ({@link Downstream#reserveOutput}).
   */
  default void writeOutputsFor(Downstream next) {}

  /** A tombstone reached the end of the chain (only the sink, which forwards nothing, gets these). */
  default void onTombstone(Frame tombstone) {}

  @Override
  default void close() {}
}
