package io.edgepipe.runtime;

import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;

/** Frames for tests. */
final class TestFrames {
  private TestFrames() {}

  static Frame f32(String flow, long seq, int c, int h, int w) {
    byte[] data = new byte[c * h * w * 4];
    for (int i = 0; i < data.length; i += 4096) {
      data[i] = (byte) (seq + i);
    }
    return Frame.newBuilder().setFlowId(flow).setSeq(seq).setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(c).setH(h).setW(w)).setData(ByteString.copyFrom(data)).build();
  }
}
