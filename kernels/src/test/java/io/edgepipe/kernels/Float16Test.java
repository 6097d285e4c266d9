package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Float16;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** io.edgepipe.api.Float16, which the f16 conversions of {@link Convert} are built on. */
class Float16Test {

  /** Exact value of a finite non-negative half, by the IEEE formula (independent of Float16). */
  static double value(int h) {
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    return exp == 0 ? mant * 0x1p-24 : (1024 + mant) * Math.scalb(1.0, exp - 25);
  }

  /** Reference round-to-nearest-even for a finite float: binary search over the half grid, with
   *  0x7c00 (infinity) standing at 2^16, where an unbounded exponent would put the next value. */
  static short reference(float f) {
    int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
    double a = Math.abs((double) f);
    if (a >= 65536.0) {
      return (short) (sign | 0x7c00);
    }
    int lo = 0, hi = 0x7c00; // value(lo) <= a < value(hi)
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (mid == 0x7c00 ? a >= 65536.0 : value(mid) <= a) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double vl = value(lo);
    double vh = hi == 0x7c00 ? 65536.0 : value(hi);
    int pick;
    if (a - vl < vh - a) {
      pick = lo;
    } else if (a - vl > vh - a) {
      pick = hi;
    } else {
      pick = (lo & 1) == 0 ? lo : hi;
    }
    return (short) (sign | pick);
  }

  @Test
  void everyHalfRoundTripsExactly() {
    for (int h = 0; h < 65536; h++) {
      float f = Float16.toFloat((short) h);
      short back = Float16.fromFloat(f);
      boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
      if (nan) {
        assertTrue(Float.isNaN(f), "half " + Integer.toHexString(h));
        int b = back & 0xffff;
        assertTrue((b & 0x7c00) == 0x7c00 && (b & 0x3ff) != 0, "NaN stays NaN: " + Integer.toHexString(h));
        assertEquals(h & 0x8000, b & 0x8000, "NaN keeps its sign");
        assertEquals((h & 0x1ff), b & 0x1ff, "NaN keeps its payload bits");
      } else {
        assertEquals(h, back & 0xffff, "half " + Integer.toHexString(h));
        double v = value(h & 0x7fff);
        if ((h & 0x7c00) != 0x7c00) {
          assertEquals((h & 0x8000) != 0 ? -v : v, (double) f, 0.0, "value of half " + Integer.toHexString(h));
        }
      }
    }
  }

  @Test
  void knownValues() {
    assertEquals(65504f, Float16.toFloat((short) 0x7bff));
    assertEquals((short) 0x7bff, Float16.fromFloat(65504f));
    assertEquals((short) 0x7bff, Float16.fromFloat(65519.99f)); // below the midpoint to infinity
    assertEquals((short) 0x7c00, Float16.fromFloat(65520f)); // midpoint, ties to even: infinity
    assertEquals((short) 0x7c00, Float16.fromFloat(1e6f));
    assertEquals((short) 0xfc00, Float16.fromFloat(-1e6f));
    assertEquals((short) 0x7c00, Float16.fromFloat(Float.POSITIVE_INFINITY));
    assertEquals(Float.NEGATIVE_INFINITY, Float16.toFloat((short) 0xfc00));
    assertEquals(0x1p-14f, Float16.toFloat((short) 0x0400)); // smallest normal, 6.1035156e-5
    assertEquals((short) 0x0400, Float16.fromFloat(6.1035156e-5f));
    assertEquals((short) 0x03ff, Float16.fromFloat(6.1e-5f)); // 6.1e-5 is nearer 1023*2^-24 (6.0976e-5) than 2^-14
    assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001)); // smallest subnormal, 5.96e-8
    assertEquals(0x3ffp-24f, Float16.toFloat((short) 0x03ff)); // largest subnormal
    assertEquals((short) 0x0001, Float16.fromFloat(0x1p-24f));
    assertEquals((short) 0x0000, Float16.fromFloat(0x1p-25f)); // tie between 0 and 2^-24: even is 0
    assertEquals((short) 0x0001, Float16.fromFloat(Math.nextUp(0x1p-25f)));
    assertEquals((short) 0x0002, Float16.fromFloat(0x3p-25f)); // tie between 1 and 2 ulps: 2
    assertEquals((short) 0x8000, Float16.fromFloat(-1e-9f)); // underflow keeps the sign
    assertEquals((short) 0x8000, Float16.fromFloat(-0f));
    assertEquals((short) 0x0000, Float16.fromFloat(Float.MIN_VALUE));
    assertEquals((short) 0x3c00, Float16.fromFloat(1f));
    assertEquals((short) 0xc000, Float16.fromFloat(-2f));
    assertEquals((short) 0x3555, Float16.fromFloat(1f / 3f));
    // ties to even among normals: 1 + 2^-11 is halfway between 1 and 1 + 2^-10
    assertEquals((short) 0x3c00, Float16.fromFloat(1f + 0x1p-11f));
    assertEquals((short) 0x3c02, Float16.fromFloat(1f + 0x3p-11f)); // halfway 0x3c01/0x3c02: even
    assertEquals((short) 0x3c01, Float16.fromFloat(Math.nextUp(1f + 0x1p-11f)));
    // rounding that carries into the exponent: just below 2 rounds up to 2
    assertEquals((short) 0x4000, Float16.fromFloat(Math.nextDown(2f)));
    // subnormal rounding up into the smallest normal
    assertEquals((short) 0x0400, Float16.fromFloat(Math.nextDown(0x1p-14f)));
    assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
    assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.intBitsToFloat(0x7f800001)))));
  }

  @Test
  void fromFloatMatchesReferenceAtEveryMidpoint() {
    // for every pair of adjacent positive halves: the midpoint (a tie) and its neighbours
    for (int h = 0; h < 0x7c00; h++) {
      double mid = (value(h) + (h == 0x7bff ? 65536.0 : value(h + 1))) / 2;
      float m = (float) mid; // exact: a half plus half an ulp needs at most 12 significant bits
      assertEquals(mid, (double) m, 0.0);
      for (float f : new float[] {m, Math.nextUp(m), Math.nextDown(m), -m, -Math.nextUp(m)}) {
        assertEquals(reference(f), Float16.fromFloat(f), "float " + f);
      }
    }
  }

  @Test
  void fromFloatMatchesReferenceOnSampledFloats() {
    // a stride through every finite float bit pattern, plus random ones
    for (long bits = 0; bits < 0x7f800000L; bits += 0x0fffL) {
      float f = Float.intBitsToFloat((int) bits);
      assertEquals(reference(f), Float16.fromFloat(f), "float bits " + Long.toHexString(bits));
      assertEquals(reference(-f), Float16.fromFloat(-f));
    }
    SplittableRandom rnd = new SplittableRandom(8);
    for (int i = 0; i < 200_000; i++) {
      float f = (float) (rnd.nextDouble(-1, 1) * Math.scalb(1.0, rnd.nextInt(-30, 18)));
      assertEquals(reference(f), Float16.fromFloat(f), "float " + f);
    }
  }
}
