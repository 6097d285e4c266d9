package io.edgepipe.vgpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Every catalog kernel once (conv twice), with deterministic random inputs of odd sizes,
 * special values included (NaN, -0, infinities, out-of-range). {@link #runAll} runs them on a
 * device the way a stage does (async upload, launch, async download, one sync per case) and
 * returns each output's bytes, so two devices can be compared.
 */
public final class KernelCases {
  private KernelCases() {}

  /** One launch: input buffers (bytes), the int args, the output size and element type. */
  public record Case(String label, String kernel, List<byte[]> inputs, int[] ints, long outBytes, LaunchCheck.Elem outElem) {}

  public static List<Case> all(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Case> cases = new ArrayList<>();
    cases.add(conv(r, "conv k3 s2 p1", 3, 37, 29, 5, 3, 2, 1));
    cases.add(conv(r, "conv k5 s1 p2", 2, 19, 23, 3, 5, 1, 2));
    int n = 1001;
    cases.add(new Case("relu", KernelCatalog.RELU_F32, List.of(f32(specialFloats(r, n))), new int[] {n}, 4L * n, LaunchCheck.Elem.F32));
    {
      int c = 3, h = 33, w = 27, win = 3, s = 2;
      int oh = (h - win) / s + 1, ow = (w - win) / s + 1;
      cases.add(new Case("maxpool", KernelCatalog.MAXPOOL_F32, List.of(f32(specialFloats(r, c * h * w))),
          new int[] {c, h, w, win, s, oh, ow}, 4L * c * oh * ow, LaunchCheck.Elem.F32));
    }
    {
      int h = 17, w = 23, c = 3;
      cases.add(new Case("bgr", KernelCatalog.BGR_U8_HWC_TO_F32_CHW, List.of(bytes(r, h * w * c)),
          new int[] {h, w, c}, 4L * h * w * c, LaunchCheck.Elem.F32));
    }
    cases.add(new Case("u8->f32", KernelCatalog.U8_TO_F32, List.of(bytes(r, 1003)), new int[] {1003}, 4L * 1003, LaunchCheck.Elem.F32));
    float[] unitish = new float[999];
    for (int i = 0; i < unitish.length; i++) {
      unitish[i] = (float) r.nextDouble(-0.2, 1.2);
    }
    unitish[0] = Float.NaN;
    unitish[1] = -0f;
    unitish[2] = 0.5f / 255f; // a tie after scaling
    unitish[3] = Float.POSITIVE_INFINITY;
    cases.add(new Case("f32->u8", KernelCatalog.F32_TO_U8, List.of(f32(unitish)), new int[] {999}, 999, LaunchCheck.Elem.U8));
    short[] halves = new short[1001];
    for (int i = 0; i < halves.length; i++) {
      halves[i] = (short) r.nextInt(1 << 16);
    }
    halves[0] = 0x7e01; // NaN with payload
    halves[1] = (short) 0xfc00; // -inf
    halves[2] = 0x0001; // smallest subnormal
    cases.add(new Case("f16->f32", KernelCatalog.F16_TO_F32, List.of(f16(halves)), new int[] {1001}, 4L * 1001, LaunchCheck.Elem.F32));
    float[] wide = specialFloats(r, 1001);
    for (int i = 10; i < wide.length; i += 3) {
      wide[i] = (float) (r.nextDouble(-1, 1) * Math.pow(2, r.nextInt(-30, 18)));
    }
    cases.add(new Case("f32->f16", KernelCatalog.F32_TO_F16, List.of(f32(wide)), new int[] {1001}, 2L * 1001, LaunchCheck.Elem.F16));
    return cases;
  }

  public static Case conv(SplittableRandom r, String label, int cin, int h, int w, int cout, int k, int s, int pad) {
    int oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
    float[] in = new float[cin * h * w];
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) r.nextDouble(-1, 1);
    }
    float[] wt = new float[cout * cin * k * k];
    for (int i = 0; i < wt.length; i++) {
      wt[i] = (float) r.nextDouble(-0.5, 0.5);
    }
    float[] b = new float[cout];
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextDouble(-0.1, 0.1);
    }
    return new Case(label, KernelCatalog.CONV2D_F32, List.of(f32(in), f32(wt), f32(b)),
        new int[] {cin, h, w, cout, k, s, pad, oh, ow}, 4L * cout * oh * ow, LaunchCheck.Elem.F32);
  }

  /** Runs every case on {@code gpu}; returns output bytes by case label. */
  public static Map<String, byte[]> runAll(Gpu gpu, long seed) {
    GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Case c : all(seed)) {
      out.put(c.label(), run(gpu, m, c));
    }
    return out;
  }

  public static byte[] run(Gpu gpu, GpuModule m, Case c) {
    GpuFunction f = gpu.function(m, c.kernel());
    List<DevicePtr> ptrs = new ArrayList<>();
    KernelArgs args = KernelArgs.of();
    for (byte[] in : c.inputs()) {
      DevicePtr p = gpu.malloc(in.length);
      gpu.copyHtoDAsync(p, ByteBuffer.wrap(in));
      ptrs.add(p);
      args.ptr(p);
    }
    DevicePtr o = gpu.malloc(c.outBytes());
    ptrs.add(o);
    args.ptr(o);
    for (int v : c.ints()) {
      args.i32(v);
    }
    gpu.launch(f, KernelCatalog.gridFor(c.outBytes() / c.outElem().bytes), Dim3.of(KernelCatalog.BLOCK), args);
    byte[] result = new byte[(int) c.outBytes()];
    gpu.copyDtoHAsync(ByteBuffer.wrap(result), o);
    gpu.synchronize();
    for (DevicePtr p : ptrs) {
      gpu.free(p);
    }
    return result;
  }

  static float[] specialFloats(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextDouble(-2, 2);
    }
    a[0] = Float.NaN;
    a[1] = -0f;
    a[2] = Float.NEGATIVE_INFINITY;
    a[3] = Float.POSITIVE_INFINITY;
    a[4] = Float.MIN_VALUE;
    return a;
  }

  public static byte[] f32(float[] a) {
    ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(a);
    return b.array();
  }

  public static byte[] f16(short[] a) {
    ByteBuffer b = ByteBuffer.allocate(2 * a.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asShortBuffer().put(a);
    return b.array();
  }

  public static float[] toF32(byte[] b) {
    float[] a = new float[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
    return a;
  }

  public static short[] toF16(byte[] b) {
    short[] a = new short[b.length / 2];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(a);
    return a;
  }

  static byte[] bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }
}
