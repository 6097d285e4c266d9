package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.models.post.BlazeFaceDecoder;
import io.edgepipe.models.post.FaceDrawing;
import io.edgepipe.models.post.TextDirection;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.awt.geom.AffineTransform;
import java.awt.image.AffineTransformOp;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results a person can read: faces on a photo, the direction of printed text. */
class PostprocessTest {

  @Test
  void blazefaceFindsTheAstronautsFace(@TempDir Path dir) throws Exception {
    ModelGraph g = OnnxImporter.load(TestModels.require(TestModels.BLAZEFACE), Map.of());
    BufferedImage photo = ImageIO.read(TestModels.photo("astronaut.png").toFile());
    List<BlazeFaceDecoder.Face> faces;
    try (CpuGpu gpu = new CpuGpu(); PartitionRunner r = new PartitionRunner(g, 0, g.steps().size(), gpu)) {
      faces = new BlazeFaceDecoder(0.5f, 0.3f).decode(r.run(Map.of("input:0", TestModels.BLAZEFACE_INPUT.fromImage(photo))));
    }
    assertEquals(1, faces.size(), "one face on astronaut.png: " + faces);
    BlazeFaceDecoder.Face f = faces.get(0);
    assertTrue(f.score() > 0.9f, "score " + f.score());
    // Eileen Collins' face is in the upper middle of the 512x512 photo, about 100 px wide
    float cx = (f.xmin() + f.xmax()) / 2;
    float cy = (f.ymin() + f.ymax()) / 2;
    assertTrue(cx > 0.3f && cx < 0.6f && cy > 0.1f && cy < 0.45f, "face centre (" + cx + ", " + cy + ")");
    assertTrue(f.xmax() - f.xmin() > 0.1f && f.xmax() - f.xmin() < 0.4f, "face width " + (f.xmax() - f.xmin()));
    Path png = dir.resolve("astronaut-faces.png");
    FaceDrawing.save(photo, faces, png);
    assertEquals(512, ImageIO.read(png.toFile()).getWidth());
    assertTrue(Files.size(png) > 10_000);
  }

  @Test
  void classifierNamesTheDirectionOfTextLines() throws Exception {
    ModelGraph g = OnnxImporter.load(TestModels.require(TestModels.PPOCR_CLS), Map.of("x", new int[] {1, 3, 48, 192}));
    BufferedImage page = ImageIO.read(TestModels.photo("imageTextN.png").toFile());
    // the first ten printed lines of imageTextN.png, each cut 72x18 at x=30 (glyphs about 12 px high,
    // 3 px margin): 4:1 like the model's input. Rows come from the page's dark-pixel profile.
    int[] tops = {19, 38, 56, 75, 93, 112, 130, 149, 167, 186};
    int[][] lines = new int[tops.length][];
    for (int i = 0; i < tops.length; i++) {
      lines[i] = new int[] {30, tops[i] - 3, 72, 18};
    }
    try (CpuGpu gpu = new CpuGpu(); PartitionRunner r = new PartitionRunner(g, 0, g.steps().size(), gpu)) {
      for (int[] l : lines) {
        BufferedImage crop = page.getSubimage(l[0], l[1], l[2], l[3]);
        TextDirection.Result up = TextDirection.of(r.run(Map.of("x", TestModels.PPOCR_INPUT.fromImage(crop))));
        TextDirection.Result down = TextDirection.of(r.run(Map.of("x", TestModels.PPOCR_INPUT.fromImage(rotate180(crop)))));
        assertEquals("0", up.label(), "upright line at " + l[0] + "," + l[1] + ": " + up);
        assertEquals("180", down.label(), "upside-down line at " + l[0] + "," + l[1] + ": " + down);
      }
    }
  }

  static BufferedImage rotate180(BufferedImage img) {
    AffineTransform t = AffineTransform.getRotateInstance(Math.PI, img.getWidth() / 2.0, img.getHeight() / 2.0);
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    new AffineTransformOp(t, AffineTransformOp.TYPE_NEAREST_NEIGHBOR).filter(img, out);
    return out;
  }
}
