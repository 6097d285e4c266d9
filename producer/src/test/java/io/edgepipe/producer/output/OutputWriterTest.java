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
  void pngOfThreeChannelsIsColourWithBgrPlanes() throws Exception {
    OutputWriter out = new OutputWriter(dir, OutputWriter.Format.PNG);
    int h = 2;
    int w = 2;
    float[] chw = new float[3 * h * w];
    // pixel (0,0): only B high; pixel (0,1): only R high; each plane spans 0..10 elsewhere
    chw[0] = 10;              // B plane, (0,0)
    chw[2 * h * w + 1] = 10;  // R plane, (0,1)
    chw[h * w + 3] = -4;      // G plane: min -4 at (1,1), max 0 elsewhere
    Path f = out.write("c", 0, chw, 3, h, w);
    BufferedImage img = ImageIO.read(f.toFile());
    assertEquals(w, img.getWidth());
    assertEquals(h, img.getHeight());
    assertEquals(0x00FFFF, img.getRGB(0, 0) & 0xFFFFFF, "B=255, G=255 (0 is G's max), R=0");
    assertEquals(0xFFFF00, img.getRGB(1, 0) & 0xFFFFFF, "R=255, G=255, B=0");
    assertEquals(0x000000, img.getRGB(1, 1) & 0xFFFFFF, "G at its min");
  }

  @Test
  void pngOfOtherChannelCountsIsChannelZeroInGray() throws Exception {
    OutputWriter out = new OutputWriter(dir, OutputWriter.Format.PNG);
    float[] chw = {-1, 0, 1, 3, /* channel 1 ignored: */ 9, 9, 9, 9};
    Path f = out.write("g", 1, chw, 2, 2, 2);
    BufferedImage img = ImageIO.read(f.toFile());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
    int[] expected = {0, 64, 128, 255}; // (v + 1) * 255 / 4, rounded
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], img.getRaster().getSample(i % 2, i / 2, 0), "pixel " + i);
    }
  }
}
