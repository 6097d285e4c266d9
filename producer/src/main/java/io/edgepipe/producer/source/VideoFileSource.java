package io.edgepipe.producer.source;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** Frames decoded from a local video file (any container/codec the bundled FFmpeg reads). */
public final class VideoFileSource extends GrabberSource {

  /**
   * @param height output height (0 with width 0 keeps the file's size)
   * @param loop   start again from the first frame at the end of the file
   * @throws SourceException if the file is missing, unreadable or has no video stream
   */
  public VideoFileSource(Path file, int height, int width, int channels, boolean loop) {
    super("video file " + checked(file), () -> grabberFor(file), height, width, channels, loop);
  }

  private static Path checked(Path file) {
    if (!Files.exists(file)) {
      throw new SourceException("video file " + file + " not found");
    }
    if (Files.isDirectory(file)) {
      throw new SourceException("video file " + file + " is a directory");
    }
    if (!Files.isReadable(file)) {
      throw new SourceException("video file " + file + " not readable");
    }
    return file;
  }

  private static FFmpegFrameGrabber grabberFor(Path file) {
    // "file:" stops FFmpeg from reading a name like "a:b.mp4" as protocol "a"
    return new FFmpegFrameGrabber("file:" + file.toAbsolutePath());
  }
}
