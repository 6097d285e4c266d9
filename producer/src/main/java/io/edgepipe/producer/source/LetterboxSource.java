package io.edgepipe.producer.source;

import java.util.Optional;

/**
 * Fits each frame of a source into {@code height x width} without changing its shape: scaled by
 * one factor (bilinear) so the whole picture fits, centred, the rest black. A 768x576 video in a
 * 1280x720 input becomes 960x720 with 160-pixel bars left and right, instead of people widened by
 * a third.
 */
public final class LetterboxSource implements FrameSource {
  private final FrameSource inner;
  private final int height;
  private final int width;

  /** @param inner a source delivering frames at their own size */
  public LetterboxSource(FrameSource inner, int height, int width) {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("letterbox size " + height + "x" + width + " must be positive");
    }
    this.inner = inner;
    this.height = height;
    this.width = width;
  }

  @Override
  public Optional<RawImage> next() {
    return inner.next().map(this::fit);
  }

  /** The size a {@code h x w} picture takes inside the box: {@code {scaledH, scaledW}}. */
  public static int[] fitted(int h, int w, int boxH, int boxW) {
    double scale = Math.min((double) boxH / h, (double) boxW / w);
    return new int[] {Math.max(1, Math.min(boxH, (int) Math.round(h * scale))),
        Math.max(1, Math.min(boxW, (int) Math.round(w * scale)))};
  }

  RawImage fit(RawImage in) {
    int c = in.channels();
    int[] size = fitted(in.height(), in.width(), height, width);
    int sh = size[0];
    int sw = size[1];
    int top = (height - sh) / 2;
    int left = (width - sw) / 2;
    byte[] out = new byte[height * width * c];
    byte[] src = in.pixels();
    double fy = (double) in.height() / sh;
    double fx = (double) in.width() / sw;
    for (int y = 0; y < sh; y++) {
      double sy = Math.max(0, (y + 0.5) * fy - 0.5); // pixel centres, as OpenCV's INTER_LINEAR
      int y0 = Math.min((int) sy, in.height() - 1);
      int y1 = Math.min(y0 + 1, in.height() - 1);
      double wy = sy - y0;
      for (int x = 0; x < sw; x++) {
        double sx = Math.max(0, (x + 0.5) * fx - 0.5);
        int x0 = Math.min((int) sx, in.width() - 1);
        int x1 = Math.min(x0 + 1, in.width() - 1);
        double wx = sx - x0;
        for (int ch = 0; ch < c; ch++) {
          double top0 = px(src, y0, x0, ch, in) * (1 - wx) + px(src, y0, x1, ch, in) * wx;
          double bot0 = px(src, y1, x0, ch, in) * (1 - wx) + px(src, y1, x1, ch, in) * wx;
          out[((top + y) * width + left + x) * c + ch] = (byte) Math.round(top0 * (1 - wy) + bot0 * wy);
        }
      }
    }
    return new RawImage(out, height, width, c, in.captureTimeMicros());
  }

  private static int px(byte[] src, int y, int x, int ch, RawImage in) {
    return src[(y * in.width() + x) * in.channels() + ch] & 0xFF;
  }

  @Override
  public String describe() {
    return inner.describe() + " letterboxed into " + width + "x" + height;
  }

  @Override
  public double nominalFps() {
    return inner.nominalFps();
  }

  @Override
  public void close() {
    inner.close();
  }
}
