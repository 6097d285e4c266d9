package io.edgepipe.models.onnx;

import io.edgepipe.models.onnx.proto.ModelProto;
import io.edgepipe.models.onnx.proto.TensorProto;
import io.edgepipe.models.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** The names of a model's inputs, read without importing it. */
public final class OnnxInputs {
  private OnnxInputs() {}

  /** The first graph input that is not an initializer. */
  public static String firstInput(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      ModelProto m = ModelProto.parseFrom(in);
      Set<String> init = new HashSet<>();
      for (TensorProto t : m.getGraph().getInitializerList()) {
        init.add(t.getName());
      }
      for (ValueInfoProto vi : m.getGraph().getInputList()) {
        if (!init.contains(vi.getName())) {
          return vi.getName();
        }
      }
      throw new OnnxImporter.ModelException(file + " has no input");
    } catch (IOException e) {
      throw new OnnxImporter.ModelException("cannot read ONNX model " + file + ": " + e.getMessage());
    }
  }
}
