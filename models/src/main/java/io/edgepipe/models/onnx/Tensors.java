package io.edgepipe.models.onnx;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.models.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads ONNX TensorProto values (float, double, int32, int64, bool, uint8, int8) into a {@link Const}. */
final class Tensors {
  private Tensors() {}

  static Const read(TensorProto t, String where) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw new UnsupportedNodeException(where + ": external tensor data is not supported");
    }
    int[] shape = new int[t.getDimsCount()];
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Math.toIntExact(t.getDims(i));
      n *= shape[i];
    }
    double[] v = new double[Math.toIntExact(n)];
    ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    boolean hasRaw = !t.getRawData().isEmpty();
    int type = t.getDataType();
    boolean integer = true;
    for (int i = 0; i < v.length; i++) {
      switch (type) {
        case 1 -> { // FLOAT
          v[i] = hasRaw ? raw.getFloat(i * 4) : t.getFloatData(i);
          integer = false;
        }
        case 11 -> { // DOUBLE
          v[i] = hasRaw ? raw.getDouble(i * 8) : t.getDoubleData(i);
          integer = false;
        }
        case 7 -> v[i] = hasRaw ? raw.getLong(i * 8) : t.getInt64Data(i); // INT64
        case 6 -> v[i] = hasRaw ? raw.getInt(i * 4) : t.getInt32Data(i); // INT32
        case 9, 2 -> v[i] = hasRaw ? raw.get(i) & 0xff : t.getInt32Data(i); // BOOL, UINT8
        case 3 -> v[i] = hasRaw ? raw.get(i) : t.getInt32Data(i); // INT8
        default -> throw new UnsupportedNodeException(where + ": tensor element type " + type + " is not supported");
      }
    }
    return new Const(shape, v, integer);
  }
}
