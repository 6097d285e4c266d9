package io.edgepipe.producer.source;

import java.util.Optional;

/**
 * A stream of camera-like frames, pulled one at a time by the producer.
 *
 * <p>Not thread-safe: one producer thread calls {@link #next()}. Sources do not pace themselves to
 * a frame rate; the caller decides how fast to pull (as fast as possible, or at a target fps).
 */
public interface FrameSource extends AutoCloseable {

  /**
   * The next frame, or empty at the end of the stream (a finite video or folder that does not
   * loop, or a synthetic source that has produced its frame count).
   *
   * @throws SourceException when the input fails mid-stream (decode error, stream dropped)
   */
  Optional<RawImage> next();

  /** One line for logs: kind, location and output size, e.g. {@code video file /x.mp4 -> 720x1280x3}. */
  String describe();

  /**
   * The input's own frame rate where it has one (a video file's fps; a stream's or camera's
   * announced rate), or 0 when it has none (synthetic, image folder). A caller that wants
   * real-time playback paces {@link #next()} with it; sources never sleep themselves.
   */
  default double nominalFps() {
    return 0;
  }

  /** Releases native resources; never throws a checked exception. */
  @Override
  void close();
}
