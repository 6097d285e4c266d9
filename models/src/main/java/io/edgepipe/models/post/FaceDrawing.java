package io.edgepipe.models.post;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Draws face boxes, key points and scores on the picture and saves it as PNG. */
public final class FaceDrawing {
  private FaceDrawing() {}

  public static void save(BufferedImage picture, List<BlazeFaceDecoder.Face> faces, Path png) {
    BufferedImage img = new BufferedImage(picture.getWidth(), picture.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.drawImage(picture, 0, 0, null);
    int w = img.getWidth();
    int h = img.getHeight();
    g.setStroke(new BasicStroke(Math.max(2f, w / 200f)));
    for (BlazeFaceDecoder.Face f : faces) {
      g.setColor(Color.GREEN);
      int x0 = Math.round(f.xmin() * w);
      int y0 = Math.round(f.ymin() * h);
      g.drawRect(x0, y0, Math.round((f.xmax() - f.xmin()) * w), Math.round((f.ymax() - f.ymin()) * h));
      g.setColor(Color.RED);
      for (int p = 0; p < 6; p++) {
        g.fillOval(Math.round(f.keypoints()[2 * p] * w) - 2, Math.round(f.keypoints()[2 * p + 1] * h) - 2, 5, 5);
      }
      g.setColor(Color.YELLOW);
      g.drawString(String.format("face %.2f", f.score()), x0, Math.max(12, y0 - 4));
    }
    g.dispose();
    try {
      ImageIO.write(img, "png", png.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
    }
  }
}
