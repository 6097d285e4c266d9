package io.edgepipe.models;

import com.google.protobuf.ByteString;
import io.edgepipe.models.onnx.proto.AttributeProto;
import io.edgepipe.models.onnx.proto.GraphProto;
import io.edgepipe.models.onnx.proto.ModelProto;
import io.edgepipe.models.onnx.proto.NodeProto;
import io.edgepipe.models.onnx.proto.OperatorSetIdProto;
import io.edgepipe.models.onnx.proto.TensorProto;
import io.edgepipe.models.onnx.proto.TensorShapeProto;
import io.edgepipe.models.onnx.proto.TypeProto;
import io.edgepipe.models.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Small ONNX graphs built with the generated onnx.proto classes, for importer tests. */
public final class TinyModels {
  private TinyModels() {}

  public static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
  }

  public static TensorProto floats(String name, float[] v, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  public static TensorProto longs(String name, long[] v, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7);
    for (long x : v) {
      t.addInt64Data(x);
    }
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  public static NodeProto node(String op, String name, String[] in, String out, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(out);
    for (String i : in) {
      n.addInput(i);
    }
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    return n.build();
  }

  public static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  public static AttributeProto tensor(String name, TensorProto t) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
  }

  public static ModelProto model(GraphProto.Builder g, int opset) {
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(g).build();
  }
}
