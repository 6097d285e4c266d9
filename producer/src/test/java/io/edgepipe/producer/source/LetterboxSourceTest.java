package io.edgepipe.producer.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LetterboxSourceTest {
  private static FrameSource oneFrame(RawImage image) {
    return new FrameSource() {
      boolean given;

      @Override
      public Optional<RawImage> next() {
        if (given) {
          return Optional.empty();
        }
        given = true;
        return Optional.of(image);
      }

      @Override
      public String describe() {
        return "one frame";
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aWidePictureGetsBarsAboveAndBelowAndKeepsItsShape() {
    byte[] white = new byte[2 * 4];
    Arrays.fill(white, (byte) 255);
    try (LetterboxSource box = new LetterboxSource(oneFrame(new RawImage(white, 2, 4, 1, 0)), 4, 4)) {
      RawImage out = box.next().orElseThrow();
      assertEquals(4, out.height());
      assertEquals(4, out.width());
      byte[] expected = new byte[16];
      Arrays.fill(expected, 4, 12, (byte) 255); // rows 1 and 2: the picture, scaled by 1
      assertArrayEquals(expected, out.pixels());
      assertEquals(Optional.empty(), box.next());
    }
  }

  @Test
  void fittedKeepsTheAspectRatio() {
    assertArrayEquals(new int[] {720, 960}, LetterboxSource.fitted(576, 768, 720, 1280));
    assertArrayEquals(new int[] {720, 720}, LetterboxSource.fitted(512, 512, 720, 1280));
  }
}
