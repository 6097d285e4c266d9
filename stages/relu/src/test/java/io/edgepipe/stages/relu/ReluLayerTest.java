package io.edgepipe.stages.relu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.edgepipe.api.Float16;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.kernels.Relu;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The relu stage through the Gpu API (cpu device), with f16 on both hops, equals the kernel. */
class ReluLayerTest {
  @Test
  void f16InAndOutMatchesTheKernel() {
    TensorShape shape = new TensorShape(4, 31, 17);
    int n = (int) shape.elements();
    SplittableRandom random = new SplittableRandom(8);
    ByteBuffer in = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      short h = Float16.fromFloat((float) random.nextDouble(-4, 4));
      in.putShort(h);
      x[i] = Float16.toFloat(h);
    }
    in.flip();
    float[] y = new float[n];
    Relu.forward(x, y, n);
    short[] expected = new short[n];
    for (int i = 0; i < n; i++) {
      expected[i] = Float16.fromFloat(y[i]);
    }
    try (Gpu gpu = Devices.open("cpu")) {
      GpuLayer layer = Layers.create(new LayerSpec("relu", LayerSpec.RELU, 0, 0, 1, 0, 0, null, 0, DType.F16), shape, gpu);
      short[] got = new short[n];
      layer.run(in, DType.F16, shape).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(got);
      assertArrayEquals(expected, got);
    }
  }
}
