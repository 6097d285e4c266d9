package io.edgepipe.models.kinds;

import java.util.List;

/**
 * One ONNX operator as a layer kind: how to read a node of it ({@link #create}, which also holds
 * the shape rule in the {@link Layer} it returns) and the kernels (CPU twins) it launches. Each
 * kind lives in its own folder under {@code kinds/} and is listed once in {@link LayerKinds}.
 */
public interface LayerKind {
  /** The ONNX op_type this kind implements. */
  String op();

  /** The kernels this kind launches and registers (may be empty when it reuses another's). */
  List<Kernel> kernels();

  /**
   * Reads a node: attributes, constant inputs and input shapes. Throws
   * {@link UnsupportedNodeException} when this node uses a feature the kind does not implement.
   */
  Layer create(NodeView node);
}
