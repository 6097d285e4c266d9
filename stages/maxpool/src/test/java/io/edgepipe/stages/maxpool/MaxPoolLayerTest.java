package io.edgepipe.stages.maxpool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.kernels.MaxPool;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The maxpool stage through the Gpu API (cpu device) equals the kernel, odd sizes and stride != window included. */
class MaxPoolLayerTest {
  @Test
  void matchesTheKernel() {
    int[][] cases = {{1, 33, 47, 2, 2}, {4, 20, 21, 3, 2}, {2, 9, 9, 3, 3}};
    SplittableRandom random = new SplittableRandom(4);
    try (Gpu gpu = Devices.open("cpu")) {
      for (int[] c : cases) {
        TensorShape shape = new TensorShape(c[0], c[1], c[2]);
        GpuLayer layer = Layers.create(new LayerSpec("maxpool", LayerSpec.MAXPOOL, 0, 0, c[4], 0, c[3], null, 0, DType.F32), shape, gpu);
        TensorShape out = layer.outputShape(shape);
        assertEquals((c[1] - c[3]) / c[4] + 1, out.h());
        float[] x = new float[(int) shape.elements()];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) random.nextGaussian();
        }
        float[] expected = new float[(int) out.elements()];
        MaxPool.forward(x, expected, c[0], c[1], c[2], c[3], c[4], out.h(), out.w());
        ByteBuffer in = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        in.asFloatBuffer().put(x);
        float[] got = new float[expected.length];
        layer.run(in, DType.F32, shape).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
        assertArrayEquals(expected, got, "shape " + shape);
      }
    }
  }
}
