package io.edgepipe.producer.source;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Loads the FFmpeg natives once and turns FFmpeg/JavaCV failures into short reasons.
 *
 * <p>FFmpeg's own log goes to stderr and would bury our one-line errors, so it is silenced unless
 * the system property {@code edgepipe.ffmpeg.loglevel} sets an av_log level (e.g. 16 = error,
 * 32 = info, 48 = debug).
 */
final class FFmpeg {
  private static final Pattern ERROR_CODE = Pattern.compile("error (-\\d+)");
  private static volatile boolean loaded;

  private FFmpeg() {}

  /** @throws SourceException if the natives cannot load (libavdevice needs libpulse.so.0) */
  static synchronized void load() {
    if (loaded) {
      return;
    }
    try {
      FFmpegFrameGrabber.tryLoad();
    } catch (Exception | UnsatisfiedLinkError e) {
      throw new SourceException("cannot load the FFmpeg native libraries ("
          + reason(e) + "); on Debian install package libpulse0", e);
    }
    avutil.av_log_set_level(Integer.getInteger("edgepipe.ffmpeg.loglevel", avutil.AV_LOG_QUIET));
    loaded = true;
  }

  /**
   * A short reason for a JavaCV exception: JavaCV messages look like
   * {@code avformat_open_input() error -2: Could not open input "x". (Has setFormat() been called?)};
   * the AVERROR code says more ("No such file or directory"), so we ask av_strerror for its text.
   */
  static String reason(Throwable e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Matcher m = ERROR_CODE.matcher(msg);
    if (loaded && m.find()) {
      try {
        int code = Integer.parseInt(m.group(1));
        byte[] buf = new byte[256];
        if (avutil.av_strerror(code, buf, buf.length) == 0) {
          int n = 0;
          while (n < buf.length && buf[n] != 0) {
            n++;
          }
          return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        }
      } catch (NumberFormatException ignored) {
        // fall through to the raw message
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = msg.lines().findFirst().orElse(msg);
    return root == e || root.getMessage() == null ? first : first + ": " + root.getMessage();
  }
}
