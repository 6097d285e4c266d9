package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Conv2dTest {

  /** The specification as a naive loop: bias first, then ci, ky, kx, skipping taps outside. */
  static float[] reference(float[] in, float[] wt, float[] bias, int cin, int h, int w, int cout,
      int k, int stride, int pad) {
    int oh = (h + 2 * pad - k) / stride + 1;
    int ow = (w + 2 * pad - k) / stride + 1;
    float[] out = new float[cout * oh * ow];
    for (int co = 0; co < cout; co++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          float acc = bias[co];
          for (int ci = 0; ci < cin; ci++) {
            for (int ky = 0; ky < k; ky++) {
              for (int kx = 0; kx < k; kx++) {
                int y = oy * stride - pad + ky;
                int x = ox * stride - pad + kx;
                if (y >= 0 && y < h && x >= 0 && x < w) {
                  acc = acc + in[(ci * h + y) * w + x] * wt[((co * cin + ci) * k + ky) * k + kx];
                }
              }
            }
          }
          out[(co * oh + oy) * ow + ox] = acc;
        }
      }
    }
    return out;
  }

  static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextDouble(-1, 1);
    }
    return a;
  }

  /**
   * Runs Conv2d and the reference on one shape and requires identical bits, on the portable path
   * and (where this JVM has the Vector API, as this module's tests run) on the Vector API path.
   */
  static void check(SplittableRandom rnd, int cin, int h, int w, int cout, int k, int stride, int pad) {
    float[] in = random(rnd, cin * h * w);
    ConvWeights cw = ConvWeights.generate(rnd.nextLong(), cout, cin, k);
    float[] expected = reference(in, cw.weights(), cw.bias(), cin, h, w, cout, k, stride, pad);
    int oh = Conv2d.outSize(h, k, stride, pad);
    int ow = Conv2d.outSize(w, k, stride, pad);
    for (boolean vector : Conv2d.VECTOR ? new boolean[] {false, true} : new boolean[] {false}) {
      float[] out = new float[cout * oh * ow];
      java.util.Arrays.fill(out, Float.NaN); // every element must be written
      Conv2d.forward(in, cw.weights(), cw.bias(), out, cin, h, w, cout, k, stride, pad, oh, ow, vector);
      assertBitsEqual(expected, out, "cin=" + cin + " h=" + h + " w=" + w + " cout=" + cout + " k=" + k
          + " stride=" + stride + " pad=" + pad + (vector ? " (Vector API)" : " (portable)"));
    }
  }

  @Test
  void vectorApiIsOnWhereTheModuleIs() {
    // this module's tests run with --add-modules jdk.incubator.vector, so the fast path is tested
    assertEquals(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), Conv2d.VECTOR);
  }

  @Test
  void matchesReferenceOnOddWidthsAroundTheVectorLength() {
    // every width from 1 to 4 vectors of 16 lanes and beyond, odd and even: whole 4-vector
    // blocks, single vectors and the scalar tail after them, with pad 0 (no border columns) and
    // pad k/2, for k 1, 3, 5 and a few channel counts
    SplittableRandom rnd = new SplittableRandom(5);
    for (int w = 1; w <= 75; w += 2) {
      for (int k : new int[] {1, 3, 5}) {
        check(rnd, 1 + w % 3, k + w % 5, w + k - 1, 1 + w % 2, k, 1, 0); // ow == w
        check(rnd, 2, 5, w, 3, k, 1, k / 2);
      }
    }
    check(rnd, 1, 9, 1279, 1, 3, 1, 1);
    check(rnd, 1, 9, 1281, 2, 3, 1, 1);
  }

  static void assertBitsEqual(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }

  @Test
  void matchesReferenceOnSmallShapes() {
    SplittableRandom rnd = new SplittableRandom(1);
    int[] ks = {1, 3, 5};
    for (int cin : new int[] {1, 3}) {
      for (int cout : new int[] {1, 4}) {
        for (int k : ks) {
          for (int stride = 1; stride <= 2; stride++) {
            for (int pad = 0; pad <= k; pad++) { // pad > k/2 and pad == k too (outputs with no taps)
              for (int trial = 0; trial < 3; trial++) {
                int h = Math.max(1, k - 2 * pad) + rnd.nextInt(12);
                int w = Math.max(1, k - 2 * pad) + rnd.nextInt(12);
                check(rnd, cin, h, w, cout, k, stride, pad);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void matchesReferenceOnOddAndTinyShapes() {
    SplittableRandom rnd = new SplittableRandom(2);
    check(rnd, 1, 1, 1, 1, 1, 1, 0);
    check(rnd, 1, 1, 1, 1, 3, 1, 1); // single pixel, only the centre tap
    check(rnd, 3, 2, 7, 2, 5, 1, 2); // image smaller than the kernel
    check(rnd, 2, 17, 3, 3, 3, 2, 1);
    check(rnd, 1, 31, 29, 1, 3, 3, 0); // stride 3
    check(rnd, 1, 9, 300, 1, 3, 1, 1); // a long row, vectorised interior
    check(rnd, 3, 13, 101, 4, 5, 2, 2);
    for (int i = 0; i < 50; i++) {
      int k = 1 + 2 * rnd.nextInt(3);
      int stride = 1 + rnd.nextInt(3);
      int pad = rnd.nextInt(k + 1);
      int h = Math.max(1, k - 2 * pad) + rnd.nextInt(40);
      int w = Math.max(1, k - 2 * pad) + rnd.nextInt(40);
      check(rnd, 1 + rnd.nextInt(4), h, w, 1 + rnd.nextInt(4), k, stride, pad);
    }
  }

  @Test
  void matchesReferenceOnTheParallelPath() {
    SplittableRandom rnd = new SplittableRandom(3);
    check(rnd, 1, 301, 257, 1, 3, 1, 1); // 77k outputs, k == 3 fast path
    check(rnd, 3, 181, 203, 4, 3, 1, 1); // 3 -> 4 channels
    check(rnd, 3, 151, 233, 4, 5, 1, 2);
    check(rnd, 3, 401, 333, 4, 3, 2, 0);
    check(rnd, 1, 270, 480, 1, 1, 1, 0);
  }

  @Test
  void isDeterministicAcrossRuns() {
    SplittableRandom rnd = new SplittableRandom(4);
    int cin = 3, h = 200, w = 300, cout = 4, k = 3;
    float[] in = random(rnd, cin * h * w);
    ConvWeights cw = ConvWeights.generate(9, cout, cin, k);
    float[] a = new float[cout * h * w];
    float[] b = new float[cout * h * w];
    Conv2d.forward(in, cw.weights(), cw.bias(), a, cin, h, w, cout, k, 1, 1, h, w);
    Conv2d.forward(in, cw.weights(), cw.bias(), b, cin, h, w, cout, k, 1, 1, h, w);
    assertBitsEqual(a, b, "second run");
  }

  @Test
  void knownValues() {
    // 3x3 input, 3x3 box filter of ones, pad 1: each output is the sum of its in-bounds neighbours
    float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] wt = new float[9];
    java.util.Arrays.fill(wt, 1f);
    float[] out = new float[9];
    Conv2d.forward(in, wt, new float[] {0.5f}, out, 1, 3, 3, 1, 3, 1, 1, 3, 3);
    assertEquals(12.5f, out[0]); // 1+2+4+5
    assertEquals(45.5f, out[4]);
    assertEquals(28.5f, out[8]); // 5+6+8+9
    // cross-correlation, not convolution: a kernel with a single 1 at (0,0) shifts the image
    float[] shift = new float[9];
    shift[0] = 1f;
    Conv2d.forward(in, shift, new float[] {0f}, out, 1, 3, 3, 1, 3, 1, 1, 3, 3);
    assertEquals(0f, out[0]);
    assertEquals(1f, out[4]); // out(1,1) = in(0,0)
    assertEquals(5f, out[8]);
  }

  @Test
  void rejectsInconsistentArguments() {
    float[] in = new float[16];
    float[] wt = new float[9];
    float[] b = new float[1];
    float[] out = new float[16];
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(in, wt, b, out, 1, 4, 4, 1, 3, 1, 1, 3, 4)); // oh wrong
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(in, wt, b, new float[15], 1, 4, 4, 1, 3, 1, 1, 4, 4)); // out short
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(new float[15], wt, b, out, 1, 4, 4, 1, 3, 1, 1, 4, 4)); // in short
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(in, new float[8], b, out, 1, 4, 4, 1, 3, 1, 1, 4, 4)); // weights short
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(in, wt, new float[0], out, 1, 4, 4, 1, 3, 1, 1, 4, 4)); // bias short
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(in, wt, b, out, 1, 4, 4, 1, 3, 0, 1, 4, 4)); // stride 0
    assertThrows(IllegalArgumentException.class,
        () -> Conv2d.forward(in, wt, b, in, 1, 4, 4, 1, 3, 1, 1, 4, 4)); // in place
    assertThrows(IllegalArgumentException.class, () -> Conv2d.outSize(1, 5, 1, 1)); // 1 + 2 < 5
  }
}
