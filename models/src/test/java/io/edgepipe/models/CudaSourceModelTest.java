package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.kinds.HostCudaKernels;
import io.edgepipe.models.kinds.LaunchRecorder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import io.edgepipe.models.onnx.OnnxImporter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both shipped models on a real photo, run on the cpu device with every kernel launch recorded;
 * each launch is replayed by the kind's CUDA C compiled for the host ({@link HostCudaKernels}) and
 * must leave the Java twin's output bit for bit (softmax within one ulp). The shapes, pads, groups
 * and strides are the real networks', which the odd-shaped cases of the kinds' own test may miss.
 * Skips without a C++ compiler or without the fetched models.
 */
class CudaSourceModelTest {
  @TempDir
  Path work;

  @Test
  void blazeFaceLaunchesMatchOnTheHost() throws Exception {
    replayAll(TestModels.BLAZEFACE, "input:0", new int[] {1, 128, 128, 3}, TestModels.BLAZEFACE_INPUT, "astronaut.png");
  }

  @Test
  void textDirectionClassifierLaunchesMatchOnTheHost() throws Exception {
    replayAll(TestModels.PPOCR_CLS, "x", new int[] {1, 3, 48, 192}, TestModels.PPOCR_INPUT, "imageTextN.png");
  }

  private void replayAll(Path model, String input, int[] shape, io.edgepipe.models.exec.ModelInput in, String photo)
      throws Exception {
    String cxx = HostCudaKernels.compiler();
    Assumptions.assumeTrue(cxx != null,
        "needs a C++ compiler (g++ or clang++ on PATH, or CXX=...) to run the kinds' CUDA C as host code");
    ModelGraph g = OnnxImporter.load(TestModels.require(model), Map.of(input, shape));
    float[] x = in.fromFile(TestModels.photo(photo));
    HostCudaKernels host = new HostCudaKernels(cxx, work);
    Set<String> kernels = new TreeSet<>();
    try (LaunchRecorder rec = new LaunchRecorder();
        PartitionRunner r = new PartitionRunner(g, 0, g.steps().size(), rec.device())) {
      rec.label(model.getFileName().toString());
      r.run(Map.of(input, x));
      for (LaunchRecorder.Recorded l : rec.launches()) {
        l.assertReplayed(host.replay(l, l.grid(), l.block()), "host", false);
        kernels.add(l.kernel().name());
      }
    }
    assertTrue(kernels.contains("conv2d_group_f32"), "replayed " + kernels);
    System.out.println(model.getFileName() + ": replayed the launches of " + kernels);
  }
}
