package io.edgepipe.models.service;

import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.producer.output.NpyReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Inputs for a model run, in file-name order: {@code images:DIR} (pictures, encoded as the
 * producer's CHW BGR u8 frames, so the first service does the model's preprocessing) or
 * {@code npy:DIR} (float32 .npy tensors fed to the model's input as they are).
 */
public final class ModelSources {
  private ModelSources() {}

  /** One input: its file, the frame the first service receives, and the picture (null for npy). */
  public record Item(Path file, Frame frame, BufferedImage picture) {}

  public static List<Path> files(String source) {
    boolean npy = source.startsWith("npy:");
    if (!npy && !source.startsWith("images:")) {
      throw new IllegalArgumentException("source '" + source + "': use images:DIR or npy:DIR for a model");
    }
    Path dir = Path.of(source.substring(source.indexOf(':') + 1));
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("source '" + source + "': " + dir + " is not a directory");
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(p -> {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return npy ? n.endsWith(".npy") : n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp");
      }).sorted().toList();
      if (files.isEmpty()) {
        throw new IllegalArgumentException("source '" + source + "': no " + (npy ? ".npy" : "image") + " files in " + dir);
      }
      return files;
    } catch (IOException e) {
      throw new IllegalArgumentException("source '" + source + "': " + e.getMessage());
    }
  }

  public static Item read(Path file, ModelGraph graph, long seq) {
    try {
      if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
        NpyReader.NpyArray a = NpyReader.read(file);
        String input = graph.inputs().keySet().iterator().next();
        int[] shape = graph.inputs().get(input);
        if (a.data().length != Shapes.elements(shape)) {
          throw new IllegalArgumentException(file + ": " + Arrays.toString(a.shape()) + " does not fit the model's input "
              + input + " " + Shapes.format(shape));
        }
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put(input, a.data());
        return new Item(file, TensorFrames.put(Frame.newBuilder().setDtype(DType.F32).setSeq(seq), t,
            Map.of(input, shape)).build(), null);
      }
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new IllegalArgumentException(file + ": not an image this reader knows");
      }
      return new Item(file, pictureFrame(img, seq), img);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The producer's frame of a picture: CHW, BGR, u8. */
  public static Frame pictureFrame(BufferedImage img, long seq) {
    int h = img.getHeight();
    int w = img.getWidth();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] chw = new byte[3 * h * w];
    for (int i = 0; i < h * w; i++) {
      chw[i] = (byte) argb[i];
      chw[h * w + i] = (byte) (argb[i] >> 8);
      chw[2 * h * w + i] = (byte) (argb[i] >> 16);
    }
    return Frame.newBuilder().setFlowId("model").setSeq(seq).setDtype(DType.U8)
        .setShape(Shape.newBuilder().setC(3).setH(h).setW(w))
        .setData(com.google.protobuf.ByteString.copyFrom(chw)).build();
  }

}
