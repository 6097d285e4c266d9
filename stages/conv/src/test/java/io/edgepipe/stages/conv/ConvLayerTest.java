package io.edgepipe.stages.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.kernels.Conv2d;
import io.edgepipe.kernels.ConvWeights;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conv stage's layer, run through the Gpu API on the cpu device, equals its kernel called directly. */
class ConvLayerTest {
  @TempDir
  Path tmp;

  private static LayerSpec conv(int cout, int k, int stride, int pad, String file, DType out) {
    return new LayerSpec("conv", LayerSpec.CONV2D, cout, k, stride, pad, 0, file, 5, out);
  }

  @Test
  void matchesTheKernelOnOddShapesFromU8AndF32Inputs() {
    SplittableRandom random = new SplittableRandom(3);
    int[][] cases = {{1, 37, 53, 1, 3, 1, 1}, {3, 41, 29, 4, 3, 2, 0}, {3, 16, 16, 2, 5, 1, 2}};
    try (Gpu gpu = Devices.open("cpu")) {
      for (int[] c : cases) {
        TensorShape in = new TensorShape(c[0], c[1], c[2]);
        LayerSpec spec = conv(c[3], c[4], c[5], c[6], null, DType.F32);
        GpuLayer layer = Layers.create(spec, in, gpu);
        TensorShape out = layer.outputShape(in);
        ConvWeights w = ConvWeights.generate(5, c[3], c[0], c[4]);

        float[] x = new float[(int) in.elements()];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) random.nextDouble(-1, 1);
        }
        float[] expected = new float[(int) out.elements()];
        Conv2d.forward(x, w.weights(), w.bias(), expected, in.c(), in.h(), in.w(), out.c(), c[4], c[5], c[6], out.h(), out.w());
        assertArrayEquals(expected, floats(layer.run(bytes(x), DType.F32, in)), "f32 input " + in);

        byte[] pixels = new byte[x.length];
        float[] asFloats = new float[x.length];
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = (byte) random.nextInt(256);
          asFloats[i] = (pixels[i] & 0xff) / 255f;
        }
        Conv2d.forward(asFloats, w.weights(), w.bias(), expected, in.c(), in.h(), in.w(), out.c(), c[4], c[5], c[6], out.h(), out.w());
        assertArrayEquals(expected, floats(layer.run(ByteBuffer.wrap(pixels), DType.U8, in)), "u8 input " + in);
        layer.close();
      }
    }
  }

  @Test
  void weightsComeFromAFileWhenTheSpecNamesOne() throws Exception {
    Path file = tmp.resolve("w.epw");
    ConvWeights.generate(99, 2, 1, 3).save(file);
    try (Gpu gpu = Devices.open("cpu")) {
      TensorShape in = new TensorShape(1, 8, 8);
      GpuLayer fromFile = Layers.create(conv(2, 3, 1, 1, file.toString(), DType.F32), in, gpu);
      GpuLayer fromSeed99 = Layers.create(new LayerSpec("conv", LayerSpec.CONV2D, 2, 3, 1, 1, 0, null, 99, DType.F32), in, gpu);
      ByteBuffer x = bytes(new float[64]);
      assertArrayEquals(floats(fromSeed99.run(x.duplicate(), DType.F32, in)), floats(fromFile.run(x.duplicate(), DType.F32, in)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Layers.create(conv(4, 3, 1, 1, file.toString(), DType.F32), in, gpu));
      assertEquals(true, e.getMessage().contains("holds 2 filters"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> fromFile.outputShape(new TensorShape(3, 8, 8)),
          "a 3-channel frame does not fit 1-channel filters");
    }
  }

  static ByteBuffer bytes(float[] x) {
    ByteBuffer b = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(x);
    return b;
  }

  static float[] floats(ByteBuffer b) {
    float[] f = new float[b.remaining() / 4];
    b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }
}
