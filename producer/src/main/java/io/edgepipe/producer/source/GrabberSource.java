package io.edgepipe.producer.source;

import io.edgepipe.api.EpochClock;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Supplier;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The FFmpeg side shared by video files, network streams and cameras: opens a configured
 * {@link FFmpegFrameGrabber}, asks it for bgr24 at the target size (FFmpeg's swscale does the
 * colour conversion and the bilinear resize in native code, so no OpenCV load is needed), copies
 * each decoded image out of FFmpeg's padded buffer, and restarts the input when looping.
 */
abstract class GrabberSource implements FrameSource {
  private final String what;
  private final Supplier<FFmpegFrameGrabber> factory;
  private final int height;
  private final int width;
  private final int channels;
  private final boolean loop;
  private FFmpegFrameGrabber grabber;
  private long framesThisPass;

  /**
   * @param what    "video file /x.mp4", "stream rtsp://...", "camera /dev/video0": the subject of
   *                every error message
   * @param height  output height, or 0 for the input's own size (then width must be 0 too)
   * @param loop    reopen the input at its end instead of ending the stream
   */
  GrabberSource(String what, Supplier<FFmpegFrameGrabber> factory, int height, int width,
      int channels, boolean loop) {
    if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
      throw new IllegalArgumentException("size " + height + "x" + width
          + ": give both > 0, or both 0 for the input's own size");
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    this.what = what;
    this.factory = factory;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.loop = loop;
    FFmpeg.load();
    open();
  }

  private void open() {
    FFmpegFrameGrabber g = factory.get();
    g.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
    if (width > 0) {
      g.setImageWidth(width);
      g.setImageHeight(height);
    }
    try {
      g.start();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      release(g);
      throw new SourceException("cannot open " + what + ": " + FFmpeg.reason(e));
    }
    if (!g.hasVideo()) {
      release(g);
      throw new SourceException("cannot open " + what + ": no video stream in it");
    }
    grabber = g;
    framesThisPass = 0;
  }

  @Override
  public Optional<RawImage> next() {
    if (grabber == null) {
      return Optional.empty();
    }
    Frame frame = grab();
    if (frame == null && loop && framesThisPass > 0) {
      // a fresh open is more reliable than seeking to 0 across containers and codecs
      release(grabber);
      grabber = null;
      open();
      frame = grab();
    }
    if (frame == null) {
      return Optional.empty();
    }
    framesThisPass++;
    return Optional.of(toImage(frame));
  }

  private Frame grab() {
    try {
      return grabber.grabImage();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      throw new SourceException("reading " + what + " failed: " + FFmpeg.reason(e), e);
    }
  }

  private RawImage toImage(Frame f) {
    long now = EpochClock.nowMicros();
    int h = f.imageHeight;
    int w = f.imageWidth;
    // JavaCV derives imageChannels from stride / width, which padding inflates (80 px wide bgr24
    // has a 320-byte stride: "4 channels"), so check the stride instead; the format is bgr24
    // because we asked for it.
    if (f.imageDepth != Frame.DEPTH_UBYTE || f.image == null || f.imageStride < w * 3) {
      throw new SourceException("reading " + what + " failed: decoder gave depth " + f.imageDepth
          + ", stride " + f.imageStride + " for width " + w + " instead of bgr24");
    }
    byte[] bgr = Pixels.copyRows((ByteBuffer) f.image[0], h, w * 3, f.imageStride);
    byte[] pixels = channels == 1 ? Pixels.bgrToGray(bgr, h * w) : bgr;
    return new RawImage(pixels, h, w, channels, now);
  }

  @Override
  public double nominalFps() {
    double fps = grabber == null ? 0 : grabber.getFrameRate();
    return Double.isFinite(fps) && fps > 0 ? fps : 0;
  }

  @Override
  public String describe() {
    String size = width > 0 ? height + "x" + width : "native size";
    return what + " -> " + size + "x" + channels + (loop ? " looping" : "");
  }

  @Override
  public void close() {
    if (grabber != null) {
      release(grabber);
      grabber = null;
    }
  }

  private static void release(FFmpegFrameGrabber g) {
    try {
      g.close();
    } catch (Exception ignored) {
      // closing after a failed start: nothing useful to report
    }
  }
}
