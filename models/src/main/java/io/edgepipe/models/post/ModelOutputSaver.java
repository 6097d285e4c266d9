package io.edgepipe.models.post;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.NamedTensor;
import io.edgepipe.models.service.TensorFrames;
import io.edgepipe.producer.source.ImageFolderSource;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * What the sink of a model run saves for each frame: the spec's post-processed result (BlazeFace's
 * faces drawn on the source picture as PNG with a .txt of boxes and scores, the classifier's
 * direction and probability as .txt) and every output tensor as .npy, named
 * {@code <flow>-<frame index>[-<source file name>]}; one line per frame also goes to
 * {@code results.txt}. Faces are drawn on the picture the frame came from, which only an image
 * folder source can give back; other sources get the .txt and .npy files.
 */
public final class ModelOutputSaver implements Consumer<Frame> {
  private final ResultWriter post;
  private final ResultWriter raw;
  private final Path dir;
  private final List<Path> pictures;

  public ModelOutputSaver(String postprocess, Path dir, String source) {
    this.post = new ResultWriter(postprocess, dir);
    this.raw = postprocess.equals("none") ? null : new ResultWriter("none", dir);
    this.dir = dir;
    this.pictures = pictures(source);
    try {
      Files.deleteIfExists(dir.resolve("results.txt")); // this run's lines only
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + dir, e);
    }
  }

  /** The saver for the model spec in {@code specFile}, with the post-processing it names. */
  public static ModelOutputSaver forSpec(Path specFile, Path dir, String source) {
    return new ModelOutputSaver(io.edgepipe.models.spec.ModelSpec.load(specFile).postprocess(), dir, source);
  }

  @Override
  public void accept(Frame frame) {
    Map<String, float[]> tensors = TensorFrames.get(frame);
    Map<String, int[]> shapes = new HashMap<>();
    for (NamedTensor t : frame.getTensorsList()) {
      shapes.put(t.getName(), t.getDimsList().stream().mapToInt(Integer::intValue).toArray());
    }
    Path file = pictures.isEmpty() ? null : pictures.get((int) (frame.getSeq() % pictures.size()));
    String base = frame.getFlowId() + "-" + frame.getSeq()
        + (file == null ? "" : "-" + file.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
    String line = post.write(base, file == null ? null : read(file), tensors, shapes);
    if (raw != null) {
      raw.write(base, null, tensors, shapes);
    }
    synchronized (this) {
      try {
        Files.writeString(dir.resolve("results.txt"), base + ": " + line + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + dir.resolve("results.txt"), e);
      }
    }
  }

  /** Frame i of an image folder is its i-th file (the source's order, looping); other sources give none. */
  static List<Path> pictures(String source) {
    if (source == null) {
      return List.of();
    }
    Path folder = source.startsWith("images:") ? Path.of(source.substring("images:".length()))
        : !source.contains(":") && Files.isDirectory(Path.of(source)) ? Path.of(source) : null;
    return folder == null ? List.of() : ImageFolderSource.imageFiles(folder);
  }

  private static BufferedImage read(Path file) {
    try {
      return ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " to draw on", e);
    }
  }
}
