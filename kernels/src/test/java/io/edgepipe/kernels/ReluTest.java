package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReluTest {

  static float reference(float x) {
    return x != x ? x : x > 0 ? x : 0f; // NaN passes through, -0 and negatives become +0
  }

  @Test
  void specialValues() {
    float[] in = {1f, -1f, 0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7f800001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL};
    float[] expected = {1f, 0f, 0f, 0f, in[4], in[5], in[6], Float.POSITIVE_INFINITY, 0f, Float.MIN_VALUE, 0f,
        Float.MAX_VALUE, 0f, Float.MIN_NORMAL};
    float[] out = new float[in.length];
    Relu.forward(in, out, in.length);
    for (int i = 0; i < in.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]), "input " + in[i]);
    }
  }

  @Test
  void matchesReferenceOnRandomBitsInPlaceAndInParallel() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int n : new int[] {0, 1, 7, 1000, Conv2d.PARALLEL_THRESHOLD + 12345}) {
      float[] in = new float[n];
      for (int i = 0; i < n; i++) {
        // arbitrary bit patterns: every sign, NaN, infinity and subnormal occurs
        in[i] = i % 2 == 0 ? Float.intBitsToFloat(rnd.nextInt()) : (float) rnd.nextGaussian();
      }
      float[] out = new float[n];
      float[] copy = in.clone();
      Relu.forward(in, out, n);
      Relu.forward(copy, copy, n); // in place
      for (int i = 0; i < n; i++) {
        int e = Float.floatToRawIntBits(reference(in[i]));
        assertEquals(e, Float.floatToRawIntBits(out[i]), "input bits " + Integer.toHexString(Float.floatToRawIntBits(in[i])));
        assertEquals(e, Float.floatToRawIntBits(copy[i]));
      }
    }
  }

  @Test
  void leavesElementsBeyondNAlone() {
    float[] in = {-1f, -2f, -3f};
    float[] out = {9f, 9f, 9f};
    Relu.forward(in, out, 2);
    assertEquals(9f, out[2]);
  }
}
