package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.DevicePtr;
import java.util.List;

/** One node of a model, ready to run: its output shape and its launches through the Gpu API. */
public interface Layer {

  /** The output shape (the node's shape rule, applied to the input shapes it was created with). */
  int[] outputShape();

  /**
   * Positions of the node's inputs the launch reads from the device (the rest, such as Reshape's
   * shape, were read at import). Default: all of them.
   */
  default int[] deviceInputs(int inputCount) {
    int[] all = new int[inputCount];
    for (int i = 0; i < inputCount; i++) {
      all[i] = i;
    }
    return all;
  }

  /**
   * Queues the launches that compute the output.
   *
   * @param in  device buffers of the inputs listed by {@link #deviceInputs}, in that order
   * @param out the output buffer (outputShape elements of f32)
   */
  void launch(Launcher launcher, List<DevicePtr> in, DevicePtr out);

  /**
   * This layer as an op of a producer's {@link Epilogue} (element-wise, output laid out as its
   * input), or null (the default) when it cannot run inside another layer's launch.
   */
  default Epilogue.Kind epilogueKind() {
    return null;
  }

  /** Multiply-accumulates (or element operations) per run, for inspect and planning. */
  default long operations() {
    return Shapes.elements(outputShape());
  }
}
