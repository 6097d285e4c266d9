package io.edgepipe.models.kinds.matmul;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.models.kinds.gemm.GemmKind;
import java.util.List;

/**
 * ONNX MatMul where B is 2-D ([..., M, K] x [K, N]): the leading dimensions of A are rows of one
 * Gemm (gemm_f32, alpha 1, no C).
 */
public final class MatMulKind implements LayerKind {
  @Override
  public String op() {
    return "MatMul";
  }

  @Override
  public List<Kernel> kernels() {
    return List.of(); // gemm_f32 belongs to Gemm
  }

  @Override
  public Layer create(NodeView node) {
    int[] a = node.shape(0);
    int[] b = node.shape(1);
    if (b.length != 2 || a.length < 1) {
      throw new UnsupportedNodeException(node.where() + ": only B of rank 2 is supported, got " + Shapes.format(b));
    }
    int k = a[a.length - 1];
    if (b[0] != k) {
      throw new UnsupportedNodeException(node.where() + ": " + Shapes.format(a) + " x " + Shapes.format(b)
          + ": inner dimensions differ");
    }
    int m = Shapes.product(a, 0, a.length - 1);
    int[] out = a.clone();
    out[out.length - 1] = b[1];
    return new GemmKind.Gemm(out, m, k, b[1], false, false, 0, 1f, 1f);
  }
}
