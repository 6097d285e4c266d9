package io.edgepipe.producer.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Saves what reaches the sink: one file per frame, {@code DIR/<flow>-<seq>.npy} or {@code .png}, or
 * {@code DIR/<flow>-<seq>-<name>.png} when the source frame had a name (an image folder's file).
 * {@code seq} is the frame's index in its source (the producer numbers each flow from 0), zero-padded to 6 digits so a plain name sort is frame order; characters of the
 * flow id other than {@code [A-Za-z0-9._-]} become {@code _} so an id like {@code cam/0} cannot
 * escape the directory.
 */
public final class OutputWriter {

  /** File format; {@code NPY} keeps the exact floats, {@code PNG} is a normalised preview. */
  public enum Format {
    NPY("npy"), PNG("png");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    public String extension() {
      return extension;
    }

    /** "npy" or "png", any case. */
    public static Format parse(String s) {
      for (Format f : values()) {
        if (f.extension.equalsIgnoreCase(s.strip())) {
          return f;
        }
      }
      throw new IllegalArgumentException("output format '" + s + "': use npy or png");
    }
  }

  private final Path dir;
  private final Format format;

  /** Creates {@code dir} if needed. */
  public OutputWriter(Path dir, Format format) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.format = format;
  }

  public Path dir() {
    return dir;
  }

  public Format format() {
    return format;
  }

  /** The file name a frame gets, e.g. {@code cam0-000042.npy}. */
  public static String fileName(String flow, long seq, Format format) {
    return fileName(flow, seq, null, format);
  }

  /** The same with the source frame's name, e.g. {@code cam0-000002-astronaut.png}; null = none. */
  public static String fileName(String flow, long seq, String sourceName, Format format) {
    String name = sourceName == null || sourceName.isEmpty() ? "" : "-" + safe(sourceName);
    return String.format(Locale.ROOT, "%s-%06d%s.%s", safe(flow == null || flow.isEmpty() ? "flow" : flow), seq, name,
        format.extension());
  }

  private static String safe(String s) {
    String safe = s.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe.startsWith(".") ? "_" + safe.substring(1) : safe; // no hidden files, no ".."
  }

  /** Writes a CHW float32 tensor held in a Java array. */
  public Path write(String flow, long seq, float[] chw, int c, int h, int w) throws IOException {
    Path file = dir.resolve(fileName(flow, seq, format));
    if (format == Format.NPY) {
      Npy.write(file, chw, c, h, w);
    } else {
      PngWriter.write(file, FloatBuffer.wrap(chw), c, h, w);
    }
    return file;
  }

  /**
   * Writes a CHW float32 tensor held as little-endian bytes (a frame's {@code data}) from the
   * buffer's position, without copying it for NPY; the buffer's position is not changed.
   */
  public Path write(String flow, long seq, ByteBuffer chwLittleEndian, int c, int h, int w)
      throws IOException {
    return write(flow, seq, null, chwLittleEndian, c, h, w);
  }

  /** As {@link #write(String, long, ByteBuffer, int, int, int)}, the file named after the source frame too. */
  public Path write(String flow, long seq, String sourceName, ByteBuffer chwLittleEndian, int c, int h, int w)
      throws IOException {
    Path file = dir.resolve(fileName(flow, seq, sourceName, format));
    if (format == Format.NPY) {
      Npy.write(file, chwLittleEndian, c, h, w);
    } else {
      FloatBuffer floats = chwLittleEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      PngWriter.write(file, floats, c, h, w);
    }
    return file;
  }
}
