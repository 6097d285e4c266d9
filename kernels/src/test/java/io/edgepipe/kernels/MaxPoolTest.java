package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaxPoolTest {

  /** The specification as a naive loop with explicit bounds checks. */
  static float[] reference(float[] in, int c, int h, int w, int window, int stride) {
    int oh = (h - window) / stride + 1;
    int ow = (w - window) / stride + 1;
    float[] out = new float[c * oh * ow];
    for (int ch = 0; ch < c; ch++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          boolean nan = false;
          float m = 0;
          boolean first = true;
          for (int ky = 0; ky < window; ky++) {
            for (int kx = 0; kx < window; kx++) {
              int y = oy * stride + ky;
              int x = ox * stride + kx;
              if (y < 0 || y >= h || x < 0 || x >= w) {
                throw new AssertionError("window leaves the input");
              }
              float v = in[(ch * h + y) * w + x];
              if (Float.isNaN(v)) {
                nan = true;
              } else if (first || v > m || (v == 0f && m == 0f && Float.floatToRawIntBits(m) != 0)) {
                m = v; // larger, or +0 replacing -0
                first = false;
              }
            }
          }
          if (nan) {
            m = Float.intBitsToFloat(0x7fc00000);
          }
          out[(ch * oh + oy) * ow + ox] = m;
        }
      }
    }
    return out;
  }

  static void check(SplittableRandom rnd, int c, int h, int w, int window, int stride, boolean specials) {
    float[] in = new float[c * h * w];
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) rnd.nextDouble(-1, 1);
      if (specials && rnd.nextInt(20) == 0) {
        float[] s = {Float.NaN, Float.intBitsToFloat(0xff800123), 0f, -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
        in[i] = s[rnd.nextInt(s.length)];
      }
    }
    int oh = MaxPool.outSize(h, window, stride);
    int ow = MaxPool.outSize(w, window, stride);
    float[] out = new float[c * oh * ow];
    MaxPool.forward(in, out, c, h, w, window, stride, oh, ow);
    Conv2dTest.assertBitsEqual(reference(in, c, h, w, window, stride), out,
        "c=" + c + " h=" + h + " w=" + w + " window=" + window + " stride=" + stride);
  }

  @Test
  void matchesReferenceOnRandomShapes() {
    SplittableRandom rnd = new SplittableRandom(6);
    for (int window = 1; window <= 3; window++) {
      for (int stride = 1; stride <= 3; stride++) {
        for (int c : new int[] {1, 3, 4}) {
          for (int trial = 0; trial < 4; trial++) {
            check(rnd, c, window + rnd.nextInt(15), window + rnd.nextInt(15), window, stride, trial % 2 == 0);
          }
        }
      }
    }
    check(rnd, 1, 2, 2, 2, 2, false);
    check(rnd, 2, 7, 9, 2, 2, true); // odd sizes: the last row and column are dropped
  }

  @Test
  void matchesReferenceOnTheParallelPath() {
    SplittableRandom rnd = new SplittableRandom(7);
    check(rnd, 4, 720, 200, 2, 2, true);
    check(rnd, 1, 500, 301, 3, 1, true);
  }

  @Test
  void nanPropagatesCanonicallyAndPlusZeroWins() {
    float[] out = new float[1];
    for (float nan : new float[] {Float.NaN, Float.intBitsToFloat(0xffc01234), Float.intBitsToFloat(0x7f800001)}) {
      MaxPool.forward(new float[] {1f, nan, 3f, 2f}, out, 1, 2, 2, 2, 2, 1, 1);
      assertEquals(0x7fc00000, Float.floatToRawIntBits(out[0]));
      MaxPool.forward(new float[] {nan, 1f, 3f, 2f, 0f, 0f, 0f, 0f, 0f}, out, 1, 3, 3, 3, 1, 1, 1);
      assertEquals(0x7fc00000, Float.floatToRawIntBits(out[0]));
    }
    MaxPool.forward(new float[] {-0f, 0f, -1f, -2f}, out, 1, 2, 2, 2, 2, 1, 1);
    assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(out[0]));
    MaxPool.forward(new float[] {0f, -0f, -1f, -2f}, out, 1, 2, 2, 2, 2, 1, 1);
    assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(out[0]));
    MaxPool.forward(new float[] {-0f, -0f, -1f, -2f, -0f, -3f, -1f, -1f, -1f}, out, 1, 3, 3, 3, 1, 1, 1);
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[0]));
    MaxPool.forward(new float[] {Float.NEGATIVE_INFINITY}, out, 1, 1, 1, 1, 1, 1, 1);
    assertEquals(Float.NEGATIVE_INFINITY, out[0]);
  }

  @Test
  void rejectsInconsistentArguments() {
    assertThrows(IllegalArgumentException.class,
        () -> MaxPool.forward(new float[16], new float[4], 1, 4, 4, 2, 2, 2, 3));
    assertThrows(IllegalArgumentException.class,
        () -> MaxPool.forward(new float[15], new float[4], 1, 4, 4, 2, 2, 2, 2));
    assertThrows(IllegalArgumentException.class,
        () -> MaxPool.forward(new float[16], new float[3], 1, 4, 4, 2, 2, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> MaxPool.outSize(1, 2, 2));
  }
}
