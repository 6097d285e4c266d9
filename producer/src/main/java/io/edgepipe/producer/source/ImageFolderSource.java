package io.edgepipe.producer.source;

import io.edgepipe.api.EpochClock;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The png/jpg/jpeg/bmp files of one directory (not recursive), in file-name order, each read with
 * ImageIO and drawn bilinearly into a {@code TYPE_3BYTE_BGR} image of the target size (stretched,
 * no letterbox; its raster is already bgr24; transparent pixels come out black). Java2D instead
 * of OpenCV keeps the source free of the slow first OpenCV load. Files are read lazily, one per
 * {@link #next()}.
 */
public final class ImageFolderSource implements FrameSource {
  private final Path dir;
  private final List<Path> files;
  private final int height;
  private final int width;
  private final int channels;
  private final boolean loop;
  private int index;

  /**
   * @param height output height (0 with width 0 keeps each file's own size)
   * @throws SourceException if dir is missing, not a directory, or holds no image files
   */
  public ImageFolderSource(Path dir, int height, int width, int channels, boolean loop) {
    if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
      throw new IllegalArgumentException("size " + height + "x" + width
          + ": give both > 0, or both 0 for each image's own size");
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    this.dir = dir;
    this.files = list(dir);
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.loop = loop;
  }

  static boolean isImageFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp");
  }

  /** The image files a source over {@code dir} reads, in its order (frame i is file i). */
  public static List<Path> imageFiles(Path dir) {
    return list(dir);
  }

  private static List<Path> list(Path dir) {
    if (!Files.exists(dir)) {
      throw new SourceException("image folder " + dir + " not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new SourceException("image folder " + dir + " is not a directory");
    }
    List<Path> found;
    try (Stream<Path> s = Files.list(dir)) {
      found = s.filter(Files::isRegularFile).filter(ImageFolderSource::isImageFile)
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new SourceException("image folder " + dir + " not readable: " + e.getMessage());
    }
    if (found.isEmpty()) {
      throw new SourceException("image folder " + dir + " has no png/jpg/bmp files");
    }
    return found;
  }

  @Override
  public Optional<RawImage> next() {
    if (index >= files.size()) {
      if (!loop) {
        return Optional.empty();
      }
      index = 0;
    }
    Path file = files.get(index++);
    BufferedImage bgr = toBgr(read(file));
    long now = EpochClock.nowMicros();
    int h = bgr.getHeight();
    int w = bgr.getWidth();
    byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
    byte[] pixels = channels == 1 ? Pixels.bgrToGray(data, h * w) : data;
    return Optional.of(new RawImage(pixels, h, w, channels, now));
  }

  private static BufferedImage read(Path file) {
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new SourceException("image " + file + " is not a readable png/jpg/bmp");
      }
      return img;
    } catch (IOException e) {
      throw new SourceException("image " + file + " not readable: " + e.getMessage());
    }
  }

  /** Draws into a fresh bgr24 raster of the target size; its data array is ours to keep. */
  private BufferedImage toBgr(BufferedImage src) {
    int h = height > 0 ? height : src.getHeight();
    int w = width > 0 ? width : src.getWidth();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** The files this source reads, in order. */
  public List<Path> files() {
    return files;
  }

  @Override
  public String describe() {
    String size = width > 0 ? height + "x" + width : "native size";
    return "image folder " + dir + " (" + files.size() + " files) -> " + size + "x" + channels
        + (loop ? " looping" : "");
  }

  @Override
  public void close() {}
}
