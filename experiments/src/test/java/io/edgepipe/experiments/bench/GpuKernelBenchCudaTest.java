package io.edgepipe.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.vgpu.MemoryBandwidth;
import io.edgepipe.vgpu.cuda.CudaGpu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The bench on a real GPU at 720p. Tagged "cuda"; skips itself where there is no GPU. */
class GpuKernelBenchCudaTest {
  @Test
  @Tag("cuda")
  void achievedBandwidthIsAPlausibleFractionOfThePeak() {
    Assumptions.assumeTrue(CudaGpu.isAvailable(),
        () -> "needs an NVIDIA GPU and driver (libcuda.so.1): " + CudaGpu.unavailableReason());
    PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/thesis.yaml")).withInput(720, 1280);
    List<GpuKernelBench.Row> rows = new ArrayList<>();
    try (CudaGpu cuda = new CudaGpu(0)) {
      MemoryBandwidth peak = cuda.memoryBandwidth();
      assertTrue(peak.known() && peak.bytesPerSecond() > 0, cuda.name() + ": " + peak);
      new GpuKernelBench(GpuKernelBench.MIN_ITERATIONS, 256L << 20).run(spec, cuda, rows::add);
      assertEquals(3, rows.size());
      for (GpuKernelBench.Row r : rows) {
        double synced = GpuKernelBench.Row.fractionOf(r.bytesPerSecond(), peak);
        double backToBack = GpuKernelBench.Row.fractionOf(r.backToBackBytesPerSecond(), peak);
        // above 1.2 would mean the traffic count or the timing is wrong (or a cache served it)
        assertTrue(synced > 0 && synced <= 1.2, r.stage() + " launch+sync: " + synced + " of " + peak);
        assertTrue(backToBack > 0 && backToBack <= 1.2, r.stage() + " back-to-back: " + backToBack + " of " + peak);
      }
      assertEquals(0, cuda.bytesInUse());
    }
  }
}
