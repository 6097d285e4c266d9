package io.edgepipe.producer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trip: TestVideo writes synthetic frames with FFmpeg, VideoFileSource decodes them. */
class VideoFileSourceTest {
  static final int FRAMES = 12;
  static final int W = 160;
  static final int H = 120;

  @TempDir
  static Path dir;
  static Path avi;

  @BeforeAll
  static void writeVideo() throws Exception {
    avi = TestVideo.write(dir.resolve("clip.avi"), FRAMES, W, H, 25);
  }

  @Test
  void decodesEveryFrameWithTheRightSizeAndContent() {
    try (FrameSource s = new VideoFileSource(avi, 0, 0, 3, false)) {
      int n = 0;
      for (RawImage img; (img = s.next().orElse(null)) != null; n++) {
        assertEquals(H, img.height());
        assertEquals(W, img.width());
        assertEquals(3, img.channels());
        double diff = meanAbsDiff(img.pixels(), TestVideo.expectedFrame(n, W, H));
        // smooth content at quantiser 2: a few grey levels; swapped B/R or a wrong frame is > 20
        assertTrue(diff < 6, "frame " + n + " mean |diff| " + diff);
      }
      assertEquals(FRAMES, n);
    }
  }

  @Test
  void resizesConvertsToGrayAndLoops() {
    try (FrameSource s = FrameSources.open("video:" + avi, 60, 80, 1, 0, true)) {
      for (int i = 0; i < FRAMES * 2 + 3; i++) {
        RawImage img = s.next().orElseThrow(() -> new AssertionError("looping source ended"));
        assertEquals(60, img.height());
        assertEquals(80, img.width());
        assertEquals(1, img.channels());
        assertEquals(60 * 80, img.pixels().length);
      }
    }
  }

  @Test
  void plainPathAndMp4ContainerWork() throws Exception {
    Path mp4 = TestVideo.write(dir.resolve("clip.mp4"), 5, 64, 48, 30);
    try (FrameSource s = FrameSources.open(mp4.toString(), 48, 64, 3, 0)) {
      assertTrue(s.describe().contains(mp4.getFileName().toString()), s.describe());
      int n = 0;
      while (s.next().isPresent()) {
        n++;
      }
      assertEquals(5, n);
    }
  }

  static double meanAbsDiff(byte[] a, byte[] b) {
    assertEquals(a.length, b.length);
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
    }
    return (double) sum / a.length;
  }
}
