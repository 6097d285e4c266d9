package io.edgepipe.producer.source;

import java.util.Locale;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** Frames from a network stream or remote file: {@code rtsp://}, {@code http://}, {@code https://}. */
public final class StreamSource extends GrabberSource {
  /** Connect and read timeout; an unreachable host fails in this time instead of hanging. */
  static final int TIMEOUT_MICROS = 5_000_000;

  /**
   * @param loop reconnect when the stream ends (useful for an http file served as a "camera")
   * @throws SourceException if the URL has an unsupported scheme or cannot be opened
   */
  public StreamSource(String url, int height, int width, int channels, boolean loop) {
    super("stream " + checked(url), () -> grabberFor(url), height, width, channels, loop);
  }

  static boolean isStreamUrl(String s) {
    String l = s.toLowerCase(Locale.ROOT);
    return l.startsWith("rtsp://") || l.startsWith("http://") || l.startsWith("https://");
  }

  private static String checked(String url) {
    if (!isStreamUrl(url)) {
      throw new SourceException("stream " + url + ": only rtsp://, http:// and https:// are supported");
    }
    return url;
  }

  private static FFmpegFrameGrabber grabberFor(String url) {
    FFmpegFrameGrabber g = new FFmpegFrameGrabber(url);
    String timeout = Integer.toString(TIMEOUT_MICROS);
    g.setOption("rw_timeout", timeout); // any protocol: a stalled read
    g.setOption("timeout", timeout);    // tcp/http/rtsp socket connect and I/O
    if (url.regionMatches(true, 0, "rtsp", 0, 4)) {
      g.setOption("rtsp_transport", "tcp"); // UDP is often blocked between edge and server
    }
    return g;
  }
}
