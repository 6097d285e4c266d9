package io.edgepipe.models.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.cuda.CudaGpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The layer kinds' kernels on a real GPU, from their committed PTX through the same registration
 * the cpu device uses: every recorded launch of {@link KernelLaunchCases} replayed on the cuda
 * device (the layer's grid, then a small striding one) must leave the CPU twin's output, bit for
 * bit (softmax within one ulp; any NaN matches any NaN). Skips without a GPU; the same launches
 * run everywhere against the CUDA source compiled for the host in {@link CudaSourceTwinTest}.
 */
class CudaKindsTest {

  static void needGpu() {
    Assumptions.assumeTrue(CudaGpu.isAvailable(),
        () -> "needs an NVIDIA GPU and driver (libcuda.so.1): " + CudaGpu.unavailableReason());
  }

  @Test
  @Tag("cuda")
  void everyKindsKernelOnTheGpuMatchesItsCpuTwin() {
    needGpu();
    List<LaunchRecorder.Recorded> launches = KernelLaunchCases.record();
    try (CudaGpu cuda = new CudaGpu(0)) {
      GpuModule module = cuda.loadModule(KernelCatalog.MODULE);
      for (LaunchRecorder.Recorded l : launches) {
        GpuFunction fn = cuda.function(module, l.kernel().name());
        for (Dim3[] grid : List.of(new Dim3[] {l.grid(), l.block()}, new Dim3[] {Dim3.of(2), Dim3.of(32)})) {
          float[] got = replay(cuda, fn, l, grid[0], grid[1]);
          l.assertReplayed(got, "on " + cuda.name() + " grid " + grid[0].x() + "x" + grid[1].x(), true);
        }
      }
      assertEquals(0, cuda.bytesInUse());
    }
  }

  private static float[] replay(CudaGpu cuda, GpuFunction fn, LaunchRecorder.Recorded l, Dim3 grid, Dim3 block) {
    KernelArgs args = KernelArgs.of();
    List<DevicePtr> buffers = new ArrayList<>();
    DevicePtr out = null;
    for (int i = 0; i < l.ints().length; i++) {
      float[] b = l.before()[i];
      if (b == null) {
        args.i32(l.ints()[i]);
        continue;
      }
      ByteBuffer host = ByteBuffer.allocate(b.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      host.asFloatBuffer().put(b);
      DevicePtr p = cuda.malloc(host.capacity());
      cuda.copyHtoD(p, host);
      buffers.add(p);
      args.ptr(p);
      if (i == l.out()) {
        out = p;
      }
    }
    cuda.launch(fn, grid, block, args);
    ByteBuffer host = ByteBuffer.allocate(l.expected().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    cuda.copyDtoH(host, out);
    for (DevicePtr p : buffers) {
      cuda.free(p);
    }
    float[] f = new float[l.expected().length];
    host.asFloatBuffer().get(f);
    return f;
  }
}
