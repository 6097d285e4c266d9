package io.edgepipe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Float16Test {
  @Test
  void everyHalfSurvivesARoundTrip() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Float16.toFloat((short) h);
      short back = Float16.fromFloat(f);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Float16.toFloat(back)), "NaN stays NaN: " + Integer.toHexString(h));
      } else {
        assertEquals((short) h, back, "half 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void knownValuesAndRounding() {
    assertEquals(65504f, Float16.toFloat((short) 0x7bff));
    assertEquals(Float.POSITIVE_INFINITY, Float16.toFloat(Float16.fromFloat(65520f))); // rounds up to inf
    assertEquals(65504f, Float16.toFloat(Float16.fromFloat(65519f)));
    assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001)); // smallest subnormal
    assertEquals((short) 0x3c00, Float16.fromFloat(1f));
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to even (1.0)
    assertEquals((short) 0x3c00, Float16.fromFloat(1f + 0x1p-11f));
    // 1 + 3*2^-11 is halfway between 1+2^-10 and 1+2^-9: ties go to even (1+2^-9)
    assertEquals((short) 0x3c02, Float16.fromFloat(1f + 3 * 0x1p-11f));
    assertEquals((short) 0x8000, Float16.fromFloat(-0f));
  }
}
