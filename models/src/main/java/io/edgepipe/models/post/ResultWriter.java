package io.edgepipe.models.post;

import io.edgepipe.producer.output.Npy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The post-processing step a model spec names, turning output tensors into what a person reads:
 * {@code blazeface} draws the faces on the picture (PNG) and lists them, {@code ppocr-cls} gives
 * the text direction and its probability, {@code none} keeps the raw tensors (.npy).
 */
public final class ResultWriter {
  private final String kind;
  private final Path dir;

  public ResultWriter(String kind, Path dir) {
    this.kind = kind;
    this.dir = dir;
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Post-processes one result; returns a one-line summary and saves files when a folder was given. */
  public String write(String base, BufferedImage picture, Map<String, float[]> outputs, Map<String, int[]> shapes) {
    try {
      switch (kind) {
        case "blazeface" -> {
          List<BlazeFaceDecoder.Face> faces = new BlazeFaceDecoder(0.75f, 0.3f).decode(outputs);
          if (dir != null && picture != null) {
            FaceDrawing.save(picture, faces, dir.resolve(base + ".faces.png"));
          }
          StringBuilder s = new StringBuilder(faces.size() + " face(s)");
          for (BlazeFaceDecoder.Face f : faces) {
            s.append(String.format(" [%.3f at %.2f,%.2f-%.2f,%.2f]", f.score(), f.xmin(), f.ymin(), f.xmax(), f.ymax()));
          }
          return save(base, ".txt", s.toString());
        }
        case "ppocr-cls" -> {
          return save(base, ".txt", "text direction " + TextDirection.of(outputs));
        }
        default -> {
          if (dir != null) {
            for (Map.Entry<String, float[]> e : outputs.entrySet()) {
              Npy.write(dir.resolve(base + "." + e.getKey().replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy"),
                  e.getValue(), shapes.get(e.getKey()));
            }
          }
          return outputs.size() + " tensor(s)";
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + dir + ": " + e.getMessage(), e);
    }
  }

  private String save(String base, String ext, String line) throws IOException {
    if (dir != null) {
      Files.writeString(dir.resolve(base + ext), line + "\n");
    }
    return line;
  }
}
