package io.edgepipe.models.service;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.NamedTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named f32 tensors in and out of {@code Frame.tensors} (the wire form of a cut's tensors). */
public final class TensorFrames {
  private TensorFrames() {}

  /** Adds each tensor to the frame, in map order. */
  public static Frame.Builder put(Frame.Builder frame, Map<String, float[]> tensors, Map<String, int[]> shapes) {
    tensors.forEach((name, values) -> {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(values);
      NamedTensor.Builder t = NamedTensor.newBuilder().setName(name).setDtype(DType.F32)
          .setData(UnsafeByteOperations.unsafeWrap(b.array()));
      for (int d : shapes.get(name)) {
        t.addDims(d);
      }
      frame.addTensors(t);
    });
    return frame;
  }

  /** The frame's tensors by name (only F32 is produced by model services). */
  public static Map<String, float[]> get(Frame frame) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (NamedTensor t : frame.getTensorsList()) {
      if (t.getDtype() != DType.F32) {
        throw new IllegalArgumentException("tensor '" + t.getName() + "' is " + t.getDtype() + "; model services take F32");
      }
      float[] f = new float[t.getData().size() / 4];
      t.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      out.put(t.getName(), f);
    }
    return out;
  }
}
