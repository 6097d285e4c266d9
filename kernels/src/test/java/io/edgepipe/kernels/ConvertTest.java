package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Float16;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvertTest {

  @Test
  void bgrHwcToChwKeepsChannelOrderAndScales() {
    // 2x3 image, 3 channels: byte value encodes (y, x, ch)
    int h = 2, w = 3, c = 3;
    byte[] in = new byte[h * w * c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < c; ch++) {
          in[(y * w + x) * c + ch] = (byte) (100 * ch + 10 * y + x + 50); // up to 261 -> wraps
        }
      }
    }
    float[] out = new float[c * h * w];
    Convert.bgrU8HwcToF32Chw(in, out, h, w, c);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int u = (100 * ch + 10 * y + x + 50) & 0xff;
          assertEquals(u / 255f, out[ch * h * w + y * w + x], "ch " + ch + " y " + y + " x " + x);
        }
      }
    }
  }

  @Test
  void bgrHwcToChwOnLargeRandomFrames() {
    SplittableRandom rnd = new SplittableRandom(10);
    for (int[] s : new int[][] {{1, 1, 1}, {5, 7, 4}, {360, 641, 3}, {300, 300, 1}}) {
      int h = s[0], w = s[1], c = s[2];
      byte[] in = new byte[h * w * c];
      rnd.nextBytes(in);
      float[] out = new float[c * h * w];
      Convert.bgrU8HwcToF32Chw(in, out, h, w, c);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            assertEquals((in[(y * w + x) * c + ch] & 0xff) / 255f, out[(ch * h + y) * w + x]);
          }
        }
      }
    }
  }

  @Test
  void u8ToF32EveryValue() {
    int n = 256 + Conv2d.PARALLEL_THRESHOLD;
    byte[] in = new byte[n];
    for (int i = 0; i < n; i++) {
      in[i] = (byte) i;
    }
    float[] out = new float[n];
    Convert.u8ToF32(in, out, n);
    for (int i = 0; i < n; i++) {
      assertEquals((i & 0xff) / 255f, out[i]);
    }
    assertEquals(0f, out[0]);
    assertEquals(1f, out[255]);
  }

  static int referenceU8(float x) {
    if (Float.isNaN(x) || x <= 0) {
      return 0;
    }
    float v = Math.min(x, 1f) * 255f; // a float32 product, as specified
    return new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).intValueExact();
  }

  /** A float x in [0, 1] whose float32 product x * 255f is exactly {@code target}. */
  static float exactPreimage(float target) {
    float x = target / 255f;
    for (int i = 0; i < 64 && x * 255f != target; i++) {
      x = x * 255f < target ? Math.nextUp(x) : Math.nextDown(x);
    }
    assertEquals(target, x * 255f, "no float maps exactly to " + target);
    return x;
  }

  @Test
  void f32ToU8ClampsAndRoundsHalfToEven() {
    float[] in = {0f, -0f, -1f, 1f, 2f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        exactPreimage(0.5f), exactPreimage(1.5f), exactPreimage(2.5f), exactPreimage(254.5f),
        exactPreimage(127.5f), 0.5f, Float.MIN_VALUE};
    int[] expected = {0, 0, 0, 255, 255, 0, 255, 0, 0, 2, 2, 254, 128, 128, 0};
    byte[] out = new byte[in.length];
    Convert.f32ToU8(in, out, in.length);
    for (int i = 0; i < in.length; i++) {
      assertEquals(expected[i], out[i] & 0xff, "input " + in[i]);
      assertEquals(expected[i], referenceU8(in[i]), "reference for input " + in[i]);
    }
  }

  @Test
  void f32ToU8MatchesReferenceAndInvertsU8ToF32() {
    SplittableRandom rnd = new SplittableRandom(11);
    int n = Conv2d.PARALLEL_THRESHOLD + 999;
    float[] in = new float[n];
    for (int i = 0; i < n; i++) {
      in[i] = (float) rnd.nextDouble(-0.1, 1.1);
    }
    byte[] out = new byte[n];
    Convert.f32ToU8(in, out, n);
    for (int i = 0; i < n; i++) {
      assertEquals(referenceU8(in[i]), out[i] & 0xff, "input " + in[i]);
    }
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    float[] f = new float[256];
    byte[] back = new byte[256];
    Convert.u8ToF32(all, f, 256);
    Convert.f32ToU8(f, back, 256);
    assertEquals(java.util.Arrays.toString(all), java.util.Arrays.toString(back));
  }

  @Test
  void halfConversionsAreFloat16ElementWise() {
    int n = 65536 + Conv2d.PARALLEL_THRESHOLD;
    short[] halves = new short[n];
    for (int i = 0; i < n; i++) {
      halves[i] = (short) i;
    }
    float[] f = new float[n];
    Convert.f16ToF32(halves, f, n);
    short[] back = new short[n];
    Convert.f32ToF16(f, back, n);
    for (int i = 0; i < n; i++) {
      assertEquals(Float.floatToRawIntBits(Float16.toFloat(halves[i])), Float.floatToRawIntBits(f[i]));
      boolean nan = (i & 0x7c00) == 0x7c00 && (i & 0x3ff) != 0;
      if (!nan) {
        assertEquals(halves[i], back[i], "half " + Integer.toHexString(i & 0xffff));
      } else {
        assertTrue(Float.isNaN(Float16.toFloat(back[i])));
      }
    }
  }

  @Test
  void fastHalfRoundingEqualsFloat16() {
    // every tie between adjacent halves and its neighbours, both signs
    for (int h = 0; h < 0x7c00; h++) {
      float lo = Float16.toFloat((short) h);
      float hi = h == 0x7bff ? 65536f : Float16.toFloat((short) (h + 1));
      float mid = (lo + hi) / 2; // exact
      for (float f : new float[] {lo, mid, Math.nextUp(mid), Math.nextDown(mid), hi}) {
        assertEquals(Float16.fromFloat(f), Convert.toHalf(f), "float " + f);
        assertEquals(Float16.fromFloat(-f), Convert.toHalf(-f), "float " + -f);
      }
    }
    // a sweep through all bit patterns (NaNs and infinities included)
    for (long bits = 0; bits <= 0xffffffffL; bits += 0x3ffL) {
      float f = Float.intBitsToFloat((int) bits);
      assertEquals(Float16.fromFloat(f), Convert.toHalf(f), "bits " + Long.toHexString(bits));
    }
  }

  @Test
  void rejectsShortArrays() {
    assertThrows(IllegalArgumentException.class, () -> Convert.u8ToF32(new byte[3], new float[4], 4));
    assertThrows(IllegalArgumentException.class, () -> Convert.f32ToU8(new float[4], new byte[3], 4));
    assertThrows(IllegalArgumentException.class, () -> Convert.f16ToF32(new short[3], new float[4], 4));
    assertThrows(IllegalArgumentException.class, () -> Convert.f32ToF16(new float[4], new short[3], 4));
    assertThrows(IllegalArgumentException.class,
        () -> Convert.bgrU8HwcToF32Chw(new byte[11], new float[12], 2, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> Convert.u8ToF32(new byte[3], new float[4], -1));
  }
}
