package io.edgepipe.producer.source;

/**
 * One captured image, 8-bit, interleaved HWC: {@code pixels[(y*width + x)*channels + ch]}.
 * Channel order is B, G, R for {@code channels == 3} (the OpenCV/FFmpeg bgr24 convention) and a
 * single luma channel for {@code channels == 1}.
 *
 * @param captureTimeMicros when the source produced the frame, in
 *     {@link io.edgepipe.api.EpochClock#nowMicros()} microseconds
 */
public record RawImage(byte[] pixels, int height, int width, int channels, long captureTimeMicros) {

  public RawImage {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("image size " + height + "x" + width + " must be positive");
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (pixels == null || pixels.length != height * width * channels) {
      throw new IllegalArgumentException("pixels length " + (pixels == null ? "null" : pixels.length)
          + " != " + height + "*" + width + "*" + channels);
    }
  }

  /**
   * The same pixels as planar CHW bytes ({@code chw[(ch*height + y)*width + x]}), the layout of
   * the wire {@code Frame}; channel order stays B, G, R.
   */
  public byte[] toChw() {
    if (channels == 1) {
      return pixels.clone();
    }
    int plane = height * width;
    byte[] chw = new byte[pixels.length];
    for (int i = 0, p = 0; i < plane; i++, p += 3) {
      chw[i] = pixels[p];
      chw[plane + i] = pixels[p + 1];
      chw[2 * plane + i] = pixels[p + 2];
    }
    return chw;
  }

  @Override
  public String toString() {
    return "RawImage[" + height + "x" + width + "x" + channels + " @" + captureTimeMicros + "us]";
  }
}
