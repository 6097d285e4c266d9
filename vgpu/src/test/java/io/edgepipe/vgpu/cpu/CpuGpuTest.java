package io.edgepipe.vgpu.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.kernels.Conv2d;
import io.edgepipe.kernels.Convert;
import io.edgepipe.kernels.MaxPool;
import io.edgepipe.kernels.Relu;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCases;
import io.edgepipe.vgpu.KernelCatalog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuGpuTest {
  private static final Dim3 G = Dim3.of(1);
  private static final Dim3 B = Dim3.of(KernelCatalog.BLOCK);

  /** The device gives what the Java twin gives when called directly on arrays. */
  /** Granted memory is held from malloc on, so no later write or launch can run the heap out. */
  @Test
  void buffersAreMaterialisedAtMallocAndAHeapShortfallIsRefusedThere() {
    assertTrue(new CpuBuffer(16).kind() != null, "a fresh buffer holds its array");
    assertTrue(new CpuBuffer(15).kind() != null, "also one whose size is not whole floats");
    // a device told of more memory than the heap has: the malloc fails, as RESOURCE_EXHAUSTED
    try (CpuGpu gpu = new CpuGpu(64L << 30)) {
      long tooBig = Math.min(CpuGpu.MAX_ALLOCATION, Runtime.getRuntime().maxMemory() + (64L << 20));
      GpuException e = assertThrows(GpuException.class, () -> gpu.malloc(tooBig));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertEquals(0, gpu.bytesInUse());
    }
  }

  @Test
  void everyKernelMatchesItsTwinBitForBit() {
    try (CpuGpu gpu = new CpuGpu()) {
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      for (KernelCases.Case c : KernelCases.all(7)) {
        byte[] got = KernelCases.run(gpu, m, c);
        assertArrayEquals(twin(c), got, c.label());
      }
      assertEquals(0, gpu.bytesInUse());
    }
  }

  private static byte[] twin(KernelCases.Case c) {
    int[] v = c.ints();
    List<byte[]> in = c.inputs();
    switch (c.kernel()) {
      case KernelCatalog.CONV2D_F32 -> {
        float[] out = new float[(int) (c.outBytes() / 4)];
        Conv2d.forward(KernelCases.toF32(in.get(0)), KernelCases.toF32(in.get(1)), KernelCases.toF32(in.get(2)), out,
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
        return KernelCases.f32(out);
      }
      case KernelCatalog.RELU_F32 -> {
        float[] out = new float[v[0]];
        Relu.forward(KernelCases.toF32(in.get(0)), out, v[0]);
        return KernelCases.f32(out);
      }
      case KernelCatalog.MAXPOOL_F32 -> {
        float[] out = new float[(int) (c.outBytes() / 4)];
        MaxPool.forward(KernelCases.toF32(in.get(0)), out, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
        return KernelCases.f32(out);
      }
      case KernelCatalog.BGR_U8_HWC_TO_F32_CHW -> {
        float[] out = new float[v[0] * v[1] * v[2]];
        Convert.bgrU8HwcToF32Chw(in.get(0), out, v[0], v[1], v[2]);
        return KernelCases.f32(out);
      }
      case KernelCatalog.U8_TO_F32 -> {
        float[] out = new float[v[0]];
        Convert.u8ToF32(in.get(0), out, v[0]);
        return KernelCases.f32(out);
      }
      case KernelCatalog.F32_TO_U8 -> {
        byte[] out = new byte[v[0]];
        Convert.f32ToU8(KernelCases.toF32(in.get(0)), out, v[0]);
        return out;
      }
      case KernelCatalog.F16_TO_F32 -> {
        float[] out = new float[v[0]];
        Convert.f16ToF32(KernelCases.toF16(in.get(0)), out, v[0]);
        return KernelCases.f32(out);
      }
      case KernelCatalog.F32_TO_F16 -> {
        short[] out = new short[v[0]];
        Convert.f32ToF16(KernelCases.toF32(in.get(0)), out, v[0]);
        return KernelCases.f16(out);
      }
      default -> throw new AssertionError(c.kernel());
    }
  }

  @Test
  void copiesRoundTripOddSizesAndKeepPositions() {
    try (CpuGpu gpu = new CpuGpu()) {
      for (int size : new int[] {1, 2, 3, 5, 7, 1001, 4096}) {
        DevicePtr p = gpu.malloc(size);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
          data[i] = (byte) (i * 31 + 7);
        }
        ByteBuffer src = ByteBuffer.allocateDirect(size + 3);
        src.position(3);
        src.put(data);
        src.position(3);
        gpu.copyHtoD(p, src);
        assertEquals(3, src.position(), "copyHtoD leaves the position");
        ByteBuffer dst = ByteBuffer.allocate(size + 2);
        dst.position(2);
        gpu.copyDtoH(dst, p);
        assertEquals(2, dst.position(), "copyDtoH leaves the position");
        byte[] back = new byte[size];
        dst.get(back);
        assertArrayEquals(data, back, "size " + size);
        gpu.free(p);
      }
    }
  }

  /** Bytes survive a change of representation (f32 view, u8 view, f16 view of one buffer). */
  @Test
  void representationSwitchesReinterpretLittleEndian() {
    try (CpuGpu gpu = new CpuGpu()) {
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      GpuFunction toU8 = gpu.function(m, KernelCatalog.F32_TO_U8);
      GpuFunction u8ToF32 = gpu.function(m, KernelCatalog.U8_TO_F32);
      // 10 bytes: as floats 2.5 elements; written as floats, then read by a u8 kernel
      DevicePtr a = gpu.malloc(12);
      DevicePtr b = gpu.malloc(12 * 4);
      byte[] raw = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
      gpu.copyHtoD(a, ByteBuffer.wrap(raw));
      gpu.launch(u8ToF32, G, B, KernelArgs.of().ptr(a).ptr(b).i32(12));
      float[] f = new float[12];
      ByteBuffer out = ByteBuffer.allocate(48);
      gpu.copyDtoH(out, b);
      out.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      for (int i = 0; i < 12; i++) {
        assertEquals(raw[i] / 255f, f[i]);
      }
      // now write u8 output into a buffer that was float, then read the raw bytes
      gpu.launch(toU8, G, B, KernelArgs.of().ptr(b).ptr(a).i32(12));
      ByteBuffer back = ByteBuffer.allocate(12);
      gpu.copyDtoH(back, a);
      assertArrayEquals(raw, back.array());
      // a partial copy into a float buffer keeps the other bytes
      gpu.copyHtoD(b, ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9, 9}));
      ByteBuffer all = ByteBuffer.allocate(48);
      gpu.copyDtoH(all, b);
      assertEquals(9, all.get(5));
      ByteBuffer expected = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, raw[1] / 255f);
      assertEquals(expected.get(2), all.get(6), "bytes after a partial copy are kept");
    }
  }

  @Test
  void handleMisuseIsNotFound() {
    try (CpuGpu gpu = new CpuGpu(); CpuGpu other = new CpuGpu()) {
      DevicePtr p = gpu.malloc(16);
      gpu.free(p);
      assertEquals("NOT_FOUND", assertThrows(GpuException.class, () -> gpu.free(p)).code());
      assertEquals("NOT_FOUND", assertThrows(GpuException.class,
          () -> gpu.copyHtoD(p, ByteBuffer.allocate(4))).code());
      DevicePtr foreign = other.malloc(16);
      assertEquals("NOT_FOUND", assertThrows(GpuException.class,
          () -> gpu.copyDtoH(ByteBuffer.allocate(4), foreign)).code());
      assertEquals("NOT_FOUND", assertThrows(GpuException.class, () -> gpu.loadModule("nope")).code());
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      assertEquals("NOT_FOUND", assertThrows(GpuException.class, () -> gpu.function(m, "nope")).code());
    }
  }

  @Test
  void mallocBeyondCapacityIsResourceExhausted() {
    try (CpuGpu gpu = new CpuGpu(1000)) {
      gpu.malloc(600);
      GpuException e = assertThrows(GpuException.class, () -> gpu.malloc(600));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertEquals(600, gpu.bytesInUse());
    }
  }

  @Test
  void badLaunchesAreInvalidArgumentNamingKernelAndArgument() {
    try (CpuGpu gpu = new CpuGpu()) {
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      GpuFunction conv = gpu.function(m, KernelCatalog.CONV2D_F32);
      GpuFunction relu = gpu.function(m, KernelCatalog.RELU_F32);
      GpuFunction pool = gpu.function(m, KernelCatalog.MAXPOOL_F32);
      DevicePtr in = gpu.malloc(4 * 3 * 8 * 8);
      DevicePtr w = gpu.malloc(4 * 4 * 3 * 9);
      DevicePtr b = gpu.malloc(4 * 4);
      DevicePtr out = gpu.malloc(4 * 4 * 8 * 8);

      GpuException e = bad(() -> gpu.launch(relu, G, B, KernelArgs.of().ptr(in).ptr(out)));
      assertTrue(e.getMessage().contains("relu_f32") && e.getMessage().contains("3 arguments"), e.getMessage());

      e = bad(() -> gpu.launch(relu, G, B, KernelArgs.of().ptr(in).i32(5).i32(5)));
      assertTrue(e.getMessage().contains("argument 1 (out)") && e.getMessage().contains("pointer"), e.getMessage());

      e = bad(() -> gpu.launch(relu, G, B, KernelArgs.of().ptr(in).ptr(out).i32(10_000)));
      assertTrue(e.getMessage().contains("relu_f32: argument 0 (in)") && e.getMessage().contains("too small"), e.getMessage());

      // conv: oh does not match (8 + 2 - 3)/1 + 1 = 8
      e = bad(() -> gpu.launch(conv, G, B, KernelArgs.of().ptr(in).ptr(w).ptr(b).ptr(out)
          .i32(3).i32(8).i32(8).i32(4).i32(3).i32(1).i32(1).i32(9).i32(8)));
      assertTrue(e.getMessage().contains("conv2d_f32: argument 11 (oh)"), e.getMessage());

      // conv: weights too small for cout 5
      e = bad(() -> gpu.launch(conv, G, B, KernelArgs.of().ptr(in).ptr(w).ptr(b).ptr(out)
          .i32(3).i32(8).i32(8).i32(5).i32(3).i32(1).i32(1).i32(8).i32(8)));
      assertTrue(e.getMessage().contains("argument 1 (weights)"), e.getMessage());

      // maxpool in place
      e = bad(() -> gpu.launch(pool, G, B, KernelArgs.of().ptr(in).ptr(in).i32(3).i32(8).i32(8).i32(2).i32(2).i32(4).i32(4)));
      assertTrue(e.getMessage().contains("maxpool_f32") && e.getMessage().contains("in place"), e.getMessage());

      e = bad(() -> gpu.launch(relu, new Dim3(0, 1, 1), B, KernelArgs.of().ptr(in).ptr(out).i32(4)));
      assertTrue(e.getMessage().contains("grid"), e.getMessage());

      // relu in place is fine
      gpu.launch(relu, G, B, KernelArgs.of().ptr(in).ptr(in).i32(3 * 64));
    }
  }

  private static GpuException bad(org.junit.jupiter.api.function.Executable call) {
    GpuException e = assertThrows(GpuException.class, call);
    assertEquals("INVALID_ARGUMENT", e.code(), e.getMessage());
    return e;
  }
}
