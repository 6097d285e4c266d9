package io.edgepipe.producer.source;

import java.nio.ByteBuffer;

/** Pixel-format helpers shared by the sources, so every source converts the same way. */
public final class Pixels {
  private Pixels() {}

  /**
   * BGR interleaved to one luma channel with the ITU-R BT.601 weights OpenCV's
   * {@code cvtColor(BGR2GRAY)} uses, {@code Y = 0.114 B + 0.587 G + 0.299 R}, rounded half up.
   * Integer arithmetic (weights in thousandths, sum 1000) keeps it exact and platform-independent;
   * it can differ from OpenCV's fixed-point result by 1 on some pixels.
   */
  public static byte[] bgrToGray(byte[] bgr, int pixelCount) {
    byte[] gray = new byte[pixelCount];
    for (int i = 0, p = 0; i < pixelCount; i++, p += 3) {
      int b = bgr[p] & 0xFF;
      int g = bgr[p + 1] & 0xFF;
      int r = bgr[p + 2] & 0xFF;
      gray[i] = (byte) ((114 * b + 587 * g + 299 * r + 500) / 1000);
    }
    return gray;
  }

  /**
   * Copies a {@code height x rowBytes} image whose rows are {@code stride} bytes apart (FFmpeg pads
   * rows for alignment) into a tight array.
   */
  static byte[] copyRows(ByteBuffer src, int height, int rowBytes, int stride) {
    byte[] out = new byte[height * rowBytes];
    ByteBuffer b = src.duplicate();
    if (stride == rowBytes) {
      b.position(0);
      b.get(out, 0, out.length);
      return out;
    }
    for (int y = 0; y < height; y++) {
      b.position(y * stride);
      b.get(out, y * rowBytes, rowBytes);
    }
    return out;
  }
}
