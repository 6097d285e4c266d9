package io.edgepipe.models.graph;

import io.edgepipe.models.kinds.Layer;
import java.util.List;

/**
 * One layer of an imported model in run order: the ONNX node it came from, the tensors its launch
 * reads from the device (computed tensors or constants), and the tensor it writes.
 */
public record Step(String node, String op, Layer layer, List<String> inputs, String output) {
  public int[] outputShape() {
    return layer.outputShape();
  }
}
