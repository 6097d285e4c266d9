package io.edgepipe.producer.output;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Renders a CHW float32 tensor as an 8-bit grey PNG a person can read: every channel is a tile of
 * a grid (channel 0 top left, row by row, tiles {@value #GAP} pixels apart on mid-grey), and each
 * tile is scaled on its own robust range: the {@value #LOW_PERCENTILE}th to
 * {@value #HIGH_PERCENTILE}th percentile of its interior. The interior leaves out a border band,
 * where zero padding makes values no other pixel has; a plain min-max over the whole plane let
 * those few values set the scale and left the picture nearly black. Values outside the range clip;
 * NaN is drawn black and ignored for the range. Pure Java2D, no OpenCV.
 */
public final class PngWriter {
  static final int GAP = 2;
  static final double LOW_PERCENTILE = 1;
  static final double HIGH_PERCENTILE = 99;
  private static final byte GAP_GREY = (byte) 128;

  private PngWriter() {}

  /** @param chw {@code c*h*w} floats from the buffer's position, C order */
  public static void write(Path file, FloatBuffer chw, int c, int h, int w) throws IOException {
    long plane = (long) h * w;
    if (c <= 0 || h <= 0 || w <= 0 || chw.remaining() < c * plane) {
      throw new IllegalArgumentException("need " + c + "*" + h + "*" + w + " floats, have " + chw.remaining());
    }
    int cols = (int) Math.ceil(Math.sqrt(c));
    int rows = (c + cols - 1) / cols;
    int width = cols * w + (cols - 1) * GAP;
    int height = rows * h + (rows - 1) * GAP;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    if (c > 1) {
      Arrays.fill(dst, GAP_GREY);
    }
    for (int ch = 0; ch < c; ch++) {
      int x0 = (ch % cols) * (w + GAP);
      int y0 = (ch / cols) * (h + GAP);
      tile(chw, chw.position() + ch * (int) plane, h, w, dst, y0 * width + x0, width);
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer in this JRE for " + file);
    }
  }

  /** Border band left out of the range: wide enough for the padding of a few stacked layers. */
  static int margin(int h, int w) {
    int m = Math.max(1, Math.min(h, w) / 32);
    return Math.min(h, w) > 2 * m ? m : 0;
  }

  /** The [low, high] robust range of one plane's interior, or null when it has no spread. */
  static float[] range(FloatBuffer src, int start, int h, int w) {
    int m = margin(h, w);
    float[] v = new float[(h - 2 * m) * (w - 2 * m)];
    int n = 0;
    for (int y = m; y < h - m; y++) {
      for (int x = m; x < w - m; x++) {
        float f = src.get(start + y * w + x);
        if (Float.isFinite(f)) {
          v[n++] = f;
        }
      }
    }
    if (n == 0) {
      return null;
    }
    Arrays.sort(v, 0, n);
    float low = v[(int) Math.floor(LOW_PERCENTILE / 100 * (n - 1))];
    float high = v[(int) Math.ceil(HIGH_PERCENTILE / 100 * (n - 1))];
    if (!(high > low)) {
      low = v[0]; // fewer than 1% of the pixels differ: let them show
      high = v[n - 1];
    }
    return high > low && Float.isFinite(high - low) ? new float[] {low, high} : null;
  }

  /** One plane into the image at {@code offset}, rows {@code stride} bytes apart. */
  private static void tile(FloatBuffer src, int start, int h, int w, byte[] dst, int offset, int stride) {
    float[] r = range(src, start, h, w);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float v = src.get(start + y * w + x);
        int q = r == null || Float.isNaN(v) ? 0 : Math.round((v - r[0]) * 255f / (r[1] - r[0]));
        dst[offset + y * stride + x] = (byte) Math.max(0, Math.min(255, q));
      }
    }
  }
}
