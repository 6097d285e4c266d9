package io.edgepipe.models.exec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * How a picture becomes the model's input tensor, as the spec declares it: the size, the layout
 * the model takes (NCHW, or NHWC as TensorFlow exports do), the channel order and the
 * normalisation {@code x * scale[c] + shift[c]} on 0..255 pixel values, e.g.
 * {@code (x/255 - 0.5)/0.5} is scale 1/127.5, shift -1. Applied once, where frames enter the
 * model (the first service).
 */
public record ModelInput(int height, int width, boolean nhwc, boolean bgr, float[] scale, float[] shift) {

  /** Normalisation from mean and std on [0,1] pixels: {@code (x/255 - mean)/std}. */
  public static float[][] meanStd(float[] mean, float[] std) {
    float[] scale = new float[mean.length];
    float[] shift = new float[mean.length];
    for (int c = 0; c < mean.length; c++) {
      scale[c] = (float) (1.0 / (255.0 * std[c]));
      shift[c] = (float) (-mean[c] / (double) std[c]);
    }
    return new float[][] {scale, shift};
  }

  /** The tensor shape ([1,H,W,3] or [1,3,H,W]). */
  public int[] shape() {
    return nhwc ? new int[] {1, height, width, 3} : new int[] {1, 3, height, width};
  }

  public float[] fromFile(Path file) {
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new IllegalArgumentException(file + " is not an image this reader knows (png, jpg, bmp, gif)");
      }
      return fromImage(img);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Resizes (bilinear, pixel centres aligned) and normalises one picture. */
  public float[] fromImage(BufferedImage img) {
    int sw = img.getWidth();
    int sh = img.getHeight();
    return fromArgb(img.getRGB(0, 0, sw, sh, null, 0, sw), sh, sw);
  }

  /**
   * A frame of the pipeline's producer: CHW, BGR (or one gray channel), values 0..255 (u8) or
   * 0..1 ({@code unit} true: f32/f16 frames carry v/255).
   */
  public float[] fromChw(float[] chw, int c, int sh, int sw, boolean unit) {
    if (c != 3 && c != 1) {
      throw new IllegalArgumentException("a picture frame has 1 or 3 channels, this one has " + c);
    }
    int[] argb = new int[sh * sw];
    float k = unit ? 255f : 1f;
    for (int i = 0; i < argb.length; i++) {
      int b = px(chw[i] * k);
      int g = c == 3 ? px(chw[sh * sw + i] * k) : b;
      int r = c == 3 ? px(chw[2 * sh * sw + i] * k) : b;
      argb[i] = 0xff000000 | r << 16 | g << 8 | b;
    }
    return fromArgb(argb, sh, sw);
  }

  private static int px(float v) {
    return Math.max(0, Math.min(255, Math.round(v)));
  }

  private float[] fromArgb(int[] argb, int sh, int sw) {
    float[] out = new float[3 * height * width];
    for (int y = 0; y < height; y++) {
      float fy = Math.max(0, Math.min(sh - 1, (y + 0.5f) * sh / height - 0.5f));
      int y0 = (int) fy;
      int y1 = Math.min(sh - 1, y0 + 1);
      float wy = fy - y0;
      for (int x = 0; x < width; x++) {
        float fx = Math.max(0, Math.min(sw - 1, (x + 0.5f) * sw / width - 0.5f));
        int x0 = (int) fx;
        int x1 = Math.min(sw - 1, x0 + 1);
        float wx = fx - x0;
        for (int c = 0; c < 3; c++) {
          int shiftBits = bgr ? 8 * c : 16 - 8 * c; // ARGB: R at 16, G at 8, B at 0
          float v = (1 - wy) * ((1 - wx) * chan(argb[y0 * sw + x0], shiftBits) + wx * chan(argb[y0 * sw + x1], shiftBits))
              + wy * ((1 - wx) * chan(argb[y1 * sw + x0], shiftBits) + wx * chan(argb[y1 * sw + x1], shiftBits));
          float n = v * scale[c] + shift[c];
          out[nhwc ? (y * width + x) * 3 + c : (c * height + y) * width + x] = n;
        }
      }
    }
    return out;
  }

  private static float chan(int argb, int shift) {
    return (argb >>> shift) & 0xff;
  }
}
