package io.edgepipe.models.onnx;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.kinds.Launcher;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Folds a layer whose inputs are all constants by running it once on the emulated device. */
final class ConstantEvaluator {
  private ConstantEvaluator() {}

  static Const evaluate(Layer layer, List<String> inputs, Map<String, Const> constants) {
    try (CpuGpu gpu = new CpuGpu()) {
      List<DevicePtr> ptrs = new ArrayList<>();
      for (String in : inputs) {
        float[] v = constants.get(in).asFloats();
        DevicePtr p = gpu.malloc(Math.max(4, v.length * 4L));
        ByteBuffer b = ByteBuffer.allocate(Math.max(4, v.length * 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        gpu.copyHtoD(p, b);
        ptrs.add(p);
      }
      int[] shape = layer.outputShape();
      long n = io.edgepipe.models.kinds.Shapes.elements(shape);
      DevicePtr out = gpu.malloc(Math.max(4, n * 4));
      layer.launch(new Launcher(gpu), ptrs, out);
      ByteBuffer host = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
      gpu.copyDtoH(host, out);
      float[] f = new float[(int) n];
      host.asFloatBuffer().get(f);
      return Const.floats(shape, f);
    }
  }
}
