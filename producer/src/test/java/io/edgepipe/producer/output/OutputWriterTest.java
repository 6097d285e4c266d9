package io.edgepipe.producer.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputWriterTest {
  @TempDir
  Path dir;

  @Test
  void fileNamesAreSafeAndSortable() {
    assertEquals("cam0-000042.npy", OutputWriter.fileName("cam0", 42, OutputWriter.Format.NPY));
    assertEquals("cam_0-000001.png", OutputWriter.fileName("cam/0", 1, OutputWriter.Format.PNG));
    assertEquals("_.-000003.npy", OutputWriter.fileName("..", 3, OutputWriter.Format.NPY));
    assertEquals(OutputWriter.Format.PNG, OutputWriter.Format.parse("PNG"));
  }

  @Test
  void npyFromFloatsAndFromFrameBytes() throws Exception {
    OutputWriter out = new OutputWriter(dir.resolve("npy"), OutputWriter.Format.NPY);
    float[] chw = new float[3 * 4 * 5];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = (float) Math.sin(i);
    }
    Path f = out.write("flow-a", 7, chw, 3, 4, 5);
    assertEquals("flow-a-000007.npy", f.getFileName().toString());
    assertArrayEquals(chw, NpyReader.read(f).data());

    ByteBuffer le = ByteBuffer.allocate(chw.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    le.asFloatBuffer().put(chw);
    Path g = out.write("flow-a", 8, le, 3, 4, 5);
    assertArrayEquals(new int[] {3, 4, 5}, NpyReader.read(g).shape());
    assertArrayEquals(chw, NpyReader.read(g).data());
  }

  @Test
  void pngShowsEveryChannelAsATileOfAGrid() throws Exception {
    OutputWriter out = new OutputWriter(dir, OutputWriter.Format.PNG);
    int c = 4;
    int h = 6;
    int w = 5;
    float[] chw = new float[c * h * w];
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < h * w; i++) {
        chw[ch * h * w + i] = (i % w) * (ch + 1); // a left-to-right ramp, steeper per channel
      }
    }
    Path f = out.write("g", 1, chw, c, h, w);
    BufferedImage img = ImageIO.read(f.toFile());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
    assertEquals(2 * w + PngWriter.GAP, img.getWidth(), "2 columns of tiles");
    assertEquals(2 * h + PngWriter.GAP, img.getHeight(), "2 rows of tiles");
    for (int ch = 0; ch < c; ch++) {
      int x0 = (ch % 2) * (w + PngWriter.GAP);
      int y0 = (ch / 2) * (h + PngWriter.GAP);
      assertEquals(0, img.getRaster().getSample(x0, y0 + 2, 0), "channel " + ch + ": its ramp starts black");
      assertEquals(255, img.getRaster().getSample(x0 + w - 1, y0 + 2, 0), "channel " + ch + ": and ends white");
    }
    assertEquals(128, img.getRaster().getSample(w, 0, 0), "tiles are apart on mid-grey");
  }

  @Test
  void pngScaleIgnoresThePaddingBorderAndRareOutliers() throws Exception {
    OutputWriter out = new OutputWriter(dir, OutputWriter.Format.PNG);
    int h = 64;
    int w = 64;
    float[] chw = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean border = y < 2 || x < 2 || y >= h - 2 || x >= w - 2;
        chw[y * w + x] = border ? 1000f : (x < w / 2 ? 0f : 1f); // padding made the border huge
      }
    }
    chw[20 * w + 20] = -500f; // one outlier pixel inside
    Path f = out.write("p", 2, chw, 1, h, w);
    BufferedImage img = ImageIO.read(f.toFile());
    assertEquals(0, img.getRaster().getSample(10, 10, 0), "the interior's low half is black");
    assertEquals(255, img.getRaster().getSample(50, 10, 0),
        "the interior's high half is white, not the dark grey a 1000-valued border would make it");
    assertEquals(255, img.getRaster().getSample(0, 0, 0), "the border clips");
  }
}
