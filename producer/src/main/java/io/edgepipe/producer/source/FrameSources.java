package io.edgepipe.producer.source;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Opens a {@link FrameSource} from a command-line spec. Accepted specs:
 * <ul>
 *   <li>{@code synthetic} (endless) or {@code synthetic:N} (N frames): {@link SyntheticSource}</li>
 *   <li>{@code video:PATH}, or a path to an existing file: {@link VideoFileSource}</li>
 *   <li>{@code rtsp://...}, {@code http://...}, {@code https://...}: {@link StreamSource}</li>
 *   <li>{@code camera:/dev/videoN}, or {@code /dev/videoN}: {@link CameraSource}</li>
 *   <li>{@code images:DIR}, or a path to an existing directory: {@link ImageFolderSource}</li>
 * </ul>
 * Every source delivers {@code height x width x channels} (resized; channels 1 = BT.601 luma, see
 * {@link Pixels#bgrToGray}). Failures to open throw {@link SourceException} with one line naming
 * the input. For several flows from one spec, pass {@code seed + flowIndex}: only synthetic
 * sources use the seed.
 */
public final class FrameSources {
  private static final Pattern V4L2_DEVICE = Pattern.compile("/dev/video\\d+");
  private static final Pattern URL_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

  private FrameSources() {}

  /** Same as {@link #open(String, int, int, int, long, boolean)} without looping. */
  public static FrameSource open(String spec, int height, int width, int channels, long seed) {
    return open(spec, height, width, channels, seed, false);
  }

  /**
   * @param loop files, folders and streams start again at their end (ignored by camera and
   *             synthetic sources, which do not end on their own)
   */
  public static FrameSource open(String spec, int height, int width, int channels, long seed,
      boolean loop) {
    try {
      return openChecked(spec, height, width, channels, seed, loop);
    } catch (IllegalArgumentException e) {
      // bad sizes or channel counts and malformed paths: still one line that names the input
      throw new SourceException("source " + spec + ": " + e.getMessage(), e);
    }
  }

  private static FrameSource openChecked(String spec, int height, int width, int channels, long seed,
      boolean loop) {
    if (spec == null || spec.isBlank()) {
      throw new SourceException("no source given (synthetic, video:FILE, images:DIR, camera:/dev/videoN, rtsp://...)");
    }
    String s = spec.strip();
    if (s.equals("synthetic")) {
      return new SyntheticSource(seed, height, width, channels, Long.MAX_VALUE);
    }
    if (s.startsWith("synthetic:")) {
      return new SyntheticSource(seed, height, width, channels, frameCount(s));
    }
    if (s.startsWith("video:")) {
      return new VideoFileSource(Path.of(s.substring(6)), height, width, channels, loop);
    }
    if (s.startsWith("images:")) {
      return new ImageFolderSource(Path.of(s.substring(7)), height, width, channels, loop);
    }
    if (s.startsWith("camera:")) {
      return new CameraSource(s.substring(7), height, width, channels);
    }
    if (V4L2_DEVICE.matcher(s).matches()) {
      return new CameraSource(s, height, width, channels);
    }
    if (StreamSource.isStreamUrl(s)) {
      return new StreamSource(s, height, width, channels, loop);
    }
    if (URL_SCHEME.matcher(s).matches()) {
      throw new SourceException("source " + s + ": unsupported URL scheme (use rtsp://, http:// or https://)");
    }
    Path p = Path.of(s);
    if (Files.isDirectory(p)) {
      return new ImageFolderSource(p, height, width, channels, loop);
    }
    if (Files.exists(p)) {
      return new VideoFileSource(p, height, width, channels, loop);
    }
    throw new SourceException("source " + s + " not found (no such file or directory; other kinds:"
        + " synthetic, video:FILE, images:DIR, camera:/dev/videoN, rtsp://...)");
  }

  private static long frameCount(String s) {
    String n = s.substring("synthetic:".length());
    try {
      long frames = Long.parseLong(n);
      if (frames >= 0) {
        return frames;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new SourceException("source " + s + ": frame count '" + n + "' is not a number >= 0");
  }
}
