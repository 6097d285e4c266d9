package io.edgepipe.models.kinds.relu;

import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.UnaryKind;
import io.edgepipe.vgpu.KernelCatalog;
import java.util.List;

/** ONNX Relu: the project's own {@code relu_f32} kernel (NaN passes through, -0 becomes +0). */
public final class ReluKind extends UnaryKind {
  @Override
  public String op() {
    return "Relu";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(); // relu_f32 is built into the catalog
  }

  @Override
  public Layer create(NodeView node) {
    return new Unary(KernelCatalog.RELU_F32, node.shape(0), 0, 0, false, Epilogue.RELU);
  }
}
