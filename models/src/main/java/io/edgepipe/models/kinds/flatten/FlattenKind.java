package io.edgepipe.models.kinds.flatten;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.kinds.reshape.ReshapeKind;
import java.util.List;

/** ONNX Flatten: [d0..d(axis-1)] x [d(axis)..] as a 2-D tensor (a Reshape's copy). */
public final class FlattenKind implements LayerKind {
  @Override
  public String op() {
    return "Flatten";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(); // copy_f32 belongs to Reshape
  }

  @Override
  public Layer create(NodeView node) {
    int[] x = node.shape(0);
    int axis = (int) node.intAttr("axis", 1);
    if (axis < 0) {
      axis += x.length;
    }
    return new ReshapeKind.Reshaped(new int[] {Shapes.product(x, 0, axis), Shapes.product(x, axis, x.length)});
  }
}
