package io.edgepipe.vgpu.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Float16;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelCases;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.LaunchCheck;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** CUDA against the cpu reference. Tagged "cuda"; skips itself where there is no GPU. */
class CudaGpuTest {
  private static void needGpu() {
    Assumptions.assumeTrue(CudaGpu.isAvailable(),
        () -> "needs an NVIDIA GPU and driver (libcuda.so.1): " + CudaGpu.unavailableReason());
  }

  /** Runs everywhere: without a GPU the class still loads and says why it is unavailable. */
  @Test
  void probeNeverThrows() {
    CudaProbe.Result r = CudaProbe.probe();
    assertEquals(r.available(), CudaGpu.isAvailable());
    if (!r.available()) {
      assertFalse(r.reason().isBlank());
      assertEquals("UNAVAILABLE", assertThrows(GpuException.class, () -> new CudaGpu(0)).code());
    }
  }

  @Test
  @Tag("cuda")
  void everyKernelMatchesCpu() {
    needGpu();
    List<KernelCases.Case> cases = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      cases.addAll(KernelCases.all(seed));
    }
    // larger and odder, so that grids have many blocks and partial last blocks
    SplittableRandom r = new SplittableRandom(99);
    cases.add(KernelCases.conv(r, "conv big", 3, 241, 317, 7, 3, 1, 1));
    cases.add(KernelCases.conv(r, "conv k7 s3", 5, 101, 77, 4, 7, 3, 0));
    try (CudaGpu cuda = new CudaGpu(0); CpuGpu cpu = new CpuGpu()) {
      assertTrue(cuda.name().startsWith("cuda:0 "), cuda.name());
      GpuModule mc = cuda.loadModule(KernelCatalog.MODULE);
      GpuModule mr = cpu.loadModule(KernelCatalog.MODULE);
      for (KernelCases.Case c : cases) {
        compare(c, KernelCases.run(cpu, mr, c), KernelCases.run(cuda, mc, c));
      }
      assertEquals(0, cuda.bytesInUse());
    }
  }

  @Test
  @Tag("cuda")
  void peakMemoryBandwidthComesFromTheDriver() {
    needGpu();
    try (CudaGpu cuda = new CudaGpu(0)) {
      io.edgepipe.vgpu.MemoryBandwidth peak = cuda.memoryBandwidth();
      assertTrue(peak.known(), peak.note());
      // every GPU JCuda 12 runs on has between 10 GB/s and 100 TB/s
      assertTrue(peak.gigabytesPerSecond() > 10 && peak.gigabytesPerSecond() < 100_000, cuda.name() + ": " + peak);
    }
  }

  private static void compare(KernelCases.Case c, byte[] want, byte[] got) {
    assertEquals(want.length, got.length, c.label());
    if (c.outElem() == LaunchCheck.Elem.U8) {
      assertArrayEquals(want, got, c.label());
      return;
    }
    float[] a;
    float[] b;
    if (c.outElem() == LaunchCheck.Elem.F16) {
      short[] x = KernelCases.toF16(want);
      short[] y = KernelCases.toF16(got);
      a = new float[x.length];
      b = new float[y.length];
      for (int i = 0; i < x.length; i++) {
        a[i] = Float16.toFloat(x[i]);
        b[i] = Float16.toFloat(y[i]);
      }
    } else {
      a = KernelCases.toF32(want);
      b = KernelCases.toF32(got);
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
        assertTrue(Float.isNaN(a[i]) && Float.isNaN(b[i]), c.label() + " [" + i + "]: " + a[i] + " vs " + b[i]);
        continue;
      }
      if (a[i] == b[i]) {
        continue;
      }
      double rel = Math.abs((double) a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]));
      assertTrue(rel < 1e-5, c.label() + " [" + i + "]: cpu " + a[i] + " cuda " + b[i] + " rel " + rel);
    }
  }

  @Test
  @Tag("cuda")
  void copiesFromEveryKindOfHostBuffer() {
    needGpu();
    try (CudaGpu cuda = new CudaGpu(0)) {
      int n = 1_000_003;
      byte[] data = new byte[n];
      new SplittableRandom(5).nextBytes(data);
      DevicePtr p = cuda.malloc(n);
      for (ByteBuffer src : new ByteBuffer[] {
          ByteBuffer.wrap(data), ByteBuffer.allocateDirect(n).put(data).flip(), ByteBuffer.wrap(data).asReadOnlyBuffer()}) {
        for (ByteBuffer dst : new ByteBuffer[] {ByteBuffer.allocate(n), ByteBuffer.allocateDirect(n)}) {
          cuda.copyHtoDAsync(p, src);
          cuda.copyDtoHAsync(dst, p);
          cuda.synchronize();
          byte[] back = new byte[n];
          dst.duplicate().get(back);
          assertArrayEquals(data, back, src + " -> " + dst);
          cuda.copyHtoD(p, ByteBuffer.allocate(n)); // clear between rounds
        }
      }
      cuda.free(p);
      assertEquals("NOT_FOUND", assertThrows(GpuException.class, () -> cuda.free(p)).code());
    }
  }
}
