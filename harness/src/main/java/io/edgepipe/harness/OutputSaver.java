package io.edgepipe.harness;

import io.edgepipe.api.Float16;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.output.OutputWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Saves each frame the sink receives as f32 (.npy or PNG), whatever type its last hop used. */
public final class OutputSaver {
  private OutputSaver() {}

  public static Consumer<Frame> create(Path dir, String format) {
    OutputWriter writer;
    try {
      writer = new OutputWriter(dir, OutputWriter.Format.parse(format));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write outputs to " + dir, e);
    }
    return frame -> {
      try {
        writer.write(frame.getFlowId(), frame.getSeq(), asF32(frame), frame.getShape().getC(),
            frame.getShape().getH(), frame.getShape().getW());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save output " + frame.getFlowId() + "/" + frame.getSeq(), e);
      }
    };
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
