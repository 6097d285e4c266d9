package io.edgepipe.producer.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
  @TempDir
  static Path dir;

  // written out of name order and with different sizes; colours as (R, G, B)
  static final Color A = new Color(200, 20, 10);
  static final Color B = new Color(0, 255, 0);
  static final Color C = new Color(30, 60, 250);

  @BeforeAll
  static void writeImages() throws Exception {
    write("c.png", C, 50, 40);
    write("a.png", A, 64, 48);
    write("b.bmp", B, 33, 21);
    Files.writeString(dir.resolve("notes.txt"), "not an image");
  }

  static void write(String name, Color color, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, w, h);
    g.dispose();
    String format = name.substring(name.lastIndexOf('.') + 1);
    assertTrue(ImageIO.write(img, format, dir.resolve(name).toFile()));
  }

  @Test
  void readsImagesInNameOrderResizedAsBgr() {
    try (ImageFolderSource s = new ImageFolderSource(dir, 20, 30, 3, false)) {
      assertEquals(3, s.files().size(), "the .txt file is skipped");
      for (Color expected : new Color[] {A, B, C}) {
        RawImage img = s.next().orElseThrow();
        assertEquals(20, img.height());
        assertEquals(30, img.width());
        byte[] p = img.pixels();
        int mid = (10 * 30 + 15) * 3;
        assertEquals(expected.getBlue(), p[mid] & 0xFF, "B");
        assertEquals(expected.getGreen(), p[mid + 1] & 0xFF, "G");
        assertEquals(expected.getRed(), p[mid + 2] & 0xFF, "R");
      }
      assertTrue(s.next().isEmpty());
    }
  }

  @Test
  void grayAndLoopViaSpec() {
    try (FrameSource s = FrameSources.open("images:" + dir, 8, 8, 1, 0, true)) {
      for (int i = 0; i < 7; i++) {
        RawImage img = s.next().orElseThrow();
        assertEquals(1, img.channels());
        if (i % 3 == 0) { // a.png: round(0.114*10 + 0.587*20 + 0.299*200) = 73
          assertEquals(73, img.pixels()[4 * 8 + 4] & 0xFF);
        }
      }
    }
  }

  @Test
  void directoryPathAloneMeansImageFolder() {
    try (FrameSource s = FrameSources.open(dir.toString(), 0, 0, 3, 0)) {
      RawImage first = s.next().orElseThrow();
      assertEquals(48, first.height(), "0x0 keeps the file's own size");
      assertEquals(64, first.width());
    }
  }

  @Test
  void emptyFolderIsASourceException(@TempDir Path empty) {
    SourceException e = assertThrows(SourceException.class, () -> FrameSources.open("images:" + empty, 8, 8, 3, 0));
    assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
  }
}
