package io.edgepipe.producer.source;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * A V4L2 camera ({@code /dev/videoN}) through FFmpeg's video4linux2 input. The target size is
 * also requested from the camera ({@code video_size}); whatever the camera delivers is scaled
 * to it. Needs Debian's libpulse0 like every FFmpeg source (libavdevice links it).
 */
public final class CameraSource extends GrabberSource {

  /** @throws SourceException "camera /dev/video0 not found" / "not readable" / "cannot open ..." */
  public CameraSource(String device, int height, int width, int channels) {
    super("camera " + checked(device), () -> grabberFor(device), height, width, channels, false);
  }

  private static String checked(String device) {
    Path p = Path.of(device);
    if (!Files.exists(p)) {
      throw new SourceException("camera " + device + " not found");
    }
    if (!Files.isReadable(p)) {
      throw new SourceException("camera " + device + " not readable (add the user to group video)");
    }
    return device;
  }

  private static FFmpegFrameGrabber grabberFor(String device) {
    FFmpegFrameGrabber g = new FFmpegFrameGrabber(device);
    g.setFormat("video4linux2");
    return g;
  }
}
