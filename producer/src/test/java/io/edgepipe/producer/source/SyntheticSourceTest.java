package io.edgepipe.producer.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticSourceTest {

  @Test
  void sameSeedGivesSameBytes() {
    try (SyntheticSource a = new SyntheticSource(7, 48, 64, 3, 40);
         SyntheticSource b = new SyntheticSource(7, 48, 64, 3, 40)) {
      for (int i = 0; i < 40; i++) {
        assertArrayEquals(a.next().orElseThrow().pixels(), b.next().orElseThrow().pixels(), "frame " + i);
      }
    }
  }

  @Test
  void differentSeedsAndFramesDiffer() {
    SyntheticSource a = new SyntheticSource(7, 48, 64, 3, 10);
    SyntheticSource b = new SyntheticSource(8, 48, 64, 3, 10);
    assertFalse(Arrays.equals(a.frame(0), b.frame(0)), "seed 7 vs 8");
    assertFalse(Arrays.equals(a.frame(0), a.frame(1)), "the pattern moves between frames");
  }

  @Test
  void frameDoesNotDependOnFrameCount() {
    SyntheticSource shortOne = new SyntheticSource(3, 24, 32, 3, 100);
    SyntheticSource endless = new SyntheticSource(3, 24, 32, 3, Long.MAX_VALUE);
    for (int i : new int[] {0, 1, 29, 30, 95}) {
      assertArrayEquals(shortOne.frame(i), endless.frame(i), "frame " + i);
    }
  }

  @Test
  void endsAfterFrameCountAndHasTheRequestedShape() {
    try (SyntheticSource s = new SyntheticSource(1, 30, 40, 1, 3)) {
      for (int i = 0; i < 3; i++) {
        RawImage img = s.next().orElseThrow();
        assertEquals(30, img.height());
        assertEquals(40, img.width());
        assertEquals(1, img.channels());
        assertEquals(30 * 40, img.pixels().length);
        assertTrue(img.captureTimeMicros() > 1_600_000_000_000_000L, "epoch micros");
      }
      assertTrue(s.next().isEmpty());
    }
  }

  @Test
  void rawImageToChwSplitsPlanes() {
    byte[] hwc = {1, 2, 3, 4, 5, 6}; // 1x2 pixels, BGR
    RawImage img = new RawImage(hwc, 1, 2, 3, 0);
    assertArrayEquals(new byte[] {1, 4, 2, 5, 3, 6}, img.toChw());
  }

  @Test
  void grayUsesBt601WeightsRounded() {
    byte[] bgr = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, 10, 20, (byte) 200};
    byte[] gray = Pixels.bgrToGray(bgr, 4);
    assertEquals(29, gray[0] & 0xFF);  // 0.114*255 = 29.07
    assertEquals(150, gray[1] & 0xFF); // 0.587*255 = 149.7
    assertEquals(76, gray[2] & 0xFF);  // 0.299*255 = 76.2
    assertEquals(73, gray[3] & 0xFF);  // 1.14 + 11.74 + 59.8 = 72.68
  }
}
