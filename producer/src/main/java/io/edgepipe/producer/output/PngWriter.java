package io.edgepipe.producer.output;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Renders a CHW float32 tensor as an 8-bit PNG for eyeballing stage outputs. Feature maps have
 * arbitrary ranges, so each channel is min-max normalised on its own to 0..255 (a constant
 * channel becomes 0; NaN becomes 0 and is ignored for the range). A 3-channel tensor is taken as
 * B, G, R planes (our frames keep the bgr24 order) and written as a colour image, which ImageIO
 * stores as RGB; any other channel count writes channel 0 as grey. Pure Java2D, no OpenCV.
 */
public final class PngWriter {
  private PngWriter() {}

  /** @param chw {@code c*h*w} floats from the buffer's position, C order */
  public static void write(Path file, FloatBuffer chw, int c, int h, int w) throws IOException {
    long plane = (long) h * w;
    if (c <= 0 || h <= 0 || w <= 0 || chw.remaining() < c * plane) {
      throw new IllegalArgumentException("need " + c + "*" + h + "*" + w + " floats, have " + chw.remaining());
    }
    BufferedImage img;
    byte[] dst;
    if (c == 3) {
      img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      for (int ch = 0; ch < 3; ch++) {
        normalise(chw, chw.position() + ch * (int) plane, (int) plane, dst, ch, 3);
      }
    } else {
      img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      normalise(chw, chw.position(), (int) plane, dst, 0, 1);
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer in this JRE for " + file);
    }
  }

  /** One plane to bytes {@code dst[offset + i*step]}; TYPE_3BYTE_BGR stores B, G, R per pixel. */
  private static void normalise(FloatBuffer src, int start, int n, byte[] dst, int offset, int step) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      float v = src.get(start + i);
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
    }
    // no finite range (constant or all NaN): leave the zeros the new image already holds
    if (!(max > min) || Float.isInfinite(max - min)) {
      return;
    }
    float scale = 255f / (max - min);
    for (int i = 0; i < n; i++) {
      float v = src.get(start + i);
      int q = Float.isNaN(v) ? 0 : Math.round((v - min) * scale);
      dst[offset + i * step] = (byte) Math.max(0, Math.min(255, q));
    }
  }
}
