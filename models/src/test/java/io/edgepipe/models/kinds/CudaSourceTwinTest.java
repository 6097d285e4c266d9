package io.edgepipe.models.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.RegisteredKernel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer kinds' CUDA C, run where there is no GPU: each {@code <kind>.cu} compiled as host C++
 * ({@link HostCudaKernels}) replays every recorded launch of {@link KernelLaunchCases}, once with
 * the grid the layer launched and once with a small grid that makes each thread stride over many
 * elements. Its output must be the Java CPU twin's, bit for bit (softmax: within one ulp). This
 * checks the source's indexing, order of arithmetic and Java float semantics; what it cannot
 * check is the CUDA compiler's code and the GPU itself, which {@link CudaKindsTest} does on a
 * machine with a GPU.
 */
class CudaSourceTwinTest {
  @TempDir
  Path work;

  static String needCompiler() {
    String cxx = HostCudaKernels.compiler();
    Assumptions.assumeTrue(cxx != null,
        "needs a C++ compiler (g++ or clang++ on PATH, or CXX=...) to run the kinds' CUDA C as host code");
    return cxx;
  }

  @Test
  void everyKindsCudaSourceMatchesItsJavaTwinOnTheHost() throws Exception {
    HostCudaKernels host = new HostCudaKernels(needCompiler(), work);
    List<LaunchRecorder.Recorded> launches = KernelLaunchCases.record();
    Set<String> registered = new TreeSet<>();
    for (RegisteredKernel k : new LayerKinds().kernels()) {
      registered.add(k.name());
    }
    assertEquals(registered, KernelLaunchCases.kernels(launches), "the cases launch every registered kernel");
    int replays = 0;
    for (LaunchRecorder.Recorded l : launches) {
      for (Dim3[] grid : List.of(new Dim3[] {l.grid(), l.block()}, new Dim3[] {Dim3.of(2), Dim3.of(32)})) {
        l.assertReplayed(host.replay(l, grid[0], grid[1]), "host grid " + grid[0].x() + "x" + grid[1].x(), false);
        replays++;
      }
    }
    assertTrue(replays >= 2 * registered.size());
  }
}
