package io.edgepipe.harness;

import io.edgepipe.api.Float16;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.output.OutputWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.edgepipe.producer.source.ImageFolderSource;
import java.util.function.Consumer;

/**
 * Saves each frame the sink receives as f32 (.npy or PNG), whatever type its last hop used, named
 * by flow and frame index, and by the source file's name where the source is an image folder.
 */
public final class OutputSaver {
  private OutputSaver() {}

  public static Consumer<Frame> create(Path dir, String format) {
    return create(dir, format, null);
  }

  /** @param source the run's --source: frames of an image folder keep their file's name */
  public static Consumer<Frame> create(Path dir, String format, String source) {
    List<String> names = sourceNames(source);
    OutputWriter writer;
    try {
      writer = new OutputWriter(dir, OutputWriter.Format.parse(format));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write outputs to " + dir, e);
    }
    return frame -> {
      try {
        String name = frame.getSeq() < names.size() ? names.get((int) frame.getSeq()) : null;
        writer.write(frame.getFlowId(), frame.getSeq(), name, asF32(frame), frame.getShape().getC(),
            frame.getShape().getH(), frame.getShape().getW());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save output " + frame.getFlowId() + "/" + frame.getSeq(), e);
      }
    };
  }

  /** Frame i of an image folder is its i-th file (the source's order); other sources have indices only. */
  static List<String> sourceNames(String source) {
    if (source == null) {
      return List.of();
    }
    Path folder = source.startsWith("images:") ? Path.of(source.substring("images:".length()))
        : source.contains(":") || !Files.isDirectory(Path.of(source)) ? null : Path.of(source);
    if (folder == null) {
      return List.of();
    }
    return ImageFolderSource.imageFiles(folder).stream()
        .map(p -> p.getFileName().toString().replaceFirst("\\.[^.]*$", "")).toList();
  }

  static ByteBuffer asF32(Frame frame) {
    ByteBuffer data = frame.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (frame.getDtype() == DType.F32) {
      return data;
    }
    int n = frame.getShape().getC() * frame.getShape().getH() * frame.getShape().getW();
    ByteBuffer out = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out.putFloat(frame.getDtype() == DType.U8 ? (data.get(i) & 0xff) / 255f : Float16.toFloat(data.getShort(2 * i)));
    }
    return out.flip();
  }
}
