package io.edgepipe.models.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Builds one node of a kind, runs its launches on the emulated device, and compares results. */
final class KindHarness {
  private KindHarness() {}

  static final Random RANDOM = new Random(12);

  static float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = RANDOM.nextFloat() * 4 - 2;
    }
    return v;
  }

  static Map<String, Object> attrs(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      if (v instanceof int[] a) {
        v = Arrays.stream(a).asLongStream().toArray();
      } else if (v instanceof Integer n) {
        v = n.longValue();
      }
      m.put((String) kv[i], v);
    }
    return m;
  }

  /** A node whose inputs have these shapes; constants[i] non-null makes input i a constant. */
  static NodeView node(String op, int opset, Map<String, Object> attrs, List<int[]> shapes, List<float[]> constants) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      names.add(shapes.get(i) == null ? "" : "in" + i);
    }
    List<float[]> c = new ArrayList<>(constants);
    while (c.size() < shapes.size()) {
      c.add(null);
    }
    return new NodeView("test", op, opset, names, shapes, c, attrs);
  }

  /** Runs the layer on the cpu device; {@code inputs} holds every node input (null = absent). */
  static float[] run(Layer layer, List<float[]> inputs) {
    try (CpuGpu gpu = new CpuGpu()) {
      return run(layer, inputs, gpu);
    }
  }

  /** Runs the layer on {@code gpu}, which stays open. */
  static float[] run(Layer layer, List<float[]> inputs, Gpu gpu) {
    List<DevicePtr> ptrs = upload(layer, inputs, gpu);
    DevicePtr out = gpu.malloc(Math.max(4, Shapes.elements(layer.outputShape()) * 4L));
    layer.launch(new Launcher(gpu), ptrs, out);
    return download(layer, out, gpu);
  }

  /** Runs the layer with {@code e} fused into its launch on {@code gpu}; {@code extra} may be null. */
  static float[] runFused(Epilogue.Host layer, List<float[]> inputs, Epilogue e, float[] extra, Gpu gpu) {
    List<DevicePtr> ptrs = upload(layer, inputs, gpu);
    DevicePtr program = upload(e.program(), gpu);
    DevicePtr ex = extra == null ? ptrs.get(0) : upload(extra, gpu);
    DevicePtr out = gpu.malloc(Math.max(4, Shapes.elements(layer.outputShape()) * 4L));
    layer.launch(new Launcher(gpu), ptrs, e, program, ex, out);
    return download(layer, out, gpu);
  }

  private static List<DevicePtr> upload(Layer layer, List<float[]> inputs, Gpu gpu) {
    List<DevicePtr> ptrs = new ArrayList<>();
    for (int i : layer.deviceInputs(inputs.size())) {
      ptrs.add(upload(inputs.get(i), gpu));
    }
    return ptrs;
  }

  private static DevicePtr upload(float[] v, Gpu gpu) {
    DevicePtr p = gpu.malloc(Math.max(4, v.length * 4L));
    ByteBuffer b = ByteBuffer.allocate(Math.max(4, v.length * 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    gpu.copyHtoD(p, b);
    return p;
  }

  private static float[] download(Layer layer, DevicePtr out, Gpu gpu) {
    int n = (int) Shapes.elements(layer.outputShape());
    ByteBuffer host = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    gpu.copyDtoH(host, out);
    float[] f = new float[n];
    host.asFloatBuffer().get(f);
    return f;
  }

  static void assertExact(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
          what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
    }
  }

  /** Sums in another order than the reference's: equal within float rounding of the sum. */
  static void assertNear(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i]));
      final int at = i;
      assertTrue(err <= 1e-5, () -> what + ": element " + at + " is " + actual[at] + ", expected " + expected[at]);
    }
  }
}
