package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.cuda.CudaGpu;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Both shipped models, whole and as two partitions, on the cuda device (opened by name, as
 * {@code --device cuda} does) against the cpu device, and whole through {@code vgpu://} to a
 * backend on loopback whose device is the same GPU (bit for bit the local cuda result). The kernels are the CPU twins' arithmetic in
 * the same order, so the outputs agree to float rounding of the one kernel that is not bit-exact
 * (softmax, one ulp); the bound here is 1e-5 x max(|cpu|, 1) per element, 100 times tighter than
 * the ONNX Runtime check. Skips without a GPU or without the fetched models.
 */
class CudaModelTest {

  @Test
  @Tag("cuda")
  void blazeFaceOnCudaMatchesCpu() throws Exception {
    needGpu();
    compare(TestModels.BLAZEFACE, "input:0", new int[] {1, 128, 128, 3},
        TestModels.BLAZEFACE_INPUT.fromFile(TestModels.photo("astronaut.png")));
  }

  @Test
  @Tag("cuda")
  void textDirectionClassifierOnCudaMatchesCpu() throws Exception {
    needGpu();
    compare(TestModels.PPOCR_CLS, "x", new int[] {1, 3, 48, 192},
        TestModels.PPOCR_INPUT.fromFile(TestModels.photo("imageTextN.png")));
  }

  private static void needGpu() {
    Assumptions.assumeTrue(CudaGpu.isAvailable(),
        () -> "needs an NVIDIA GPU and driver (libcuda.so.1): " + CudaGpu.unavailableReason());
  }

  private static void compare(Path model, String input, int[] shape, float[] x) throws Exception {
    ModelGraph g = OnnxImporter.load(TestModels.require(model), Map.of(input, shape));
    int steps = g.steps().size();
    Map<String, float[]> want;
    try (CpuGpu cpu = new CpuGpu(); PartitionRunner r = new PartitionRunner(g, 0, steps, cpu)) {
      want = r.run(Map.of(input, x));
    }
    try (Gpu cuda = Devices.open("cuda", Map.of())) {
      Map<String, float[]> whole;
      try (PartitionRunner r = new PartitionRunner(g, 0, steps, cuda)) {
        whole = r.run(Map.of(input, x));
      }
      int cut = steps / 2;
      Map<String, float[]> split;
      try (PartitionRunner head = new PartitionRunner(g, 0, cut, cuda);
          PartitionRunner tail = new PartitionRunner(g, cut, steps, cuda)) {
        split = tail.run(head.run(Map.of(input, x)));
      }
      for (String out : g.outputs()) {
        near(want.get(out), whole.get(out), out + " (whole model on " + cuda.name() + ")");
        near(want.get(out), split.get(out), out + " (cut at step " + cut + ")");
      }
      // the same GPU behind the remote shim: the same kernels, so the same bits as cuda locally
      VgpuBackend backend = VgpuBackend.onLoopback(new CudaGpu(0), TokenStore.of(Map.of("edge1", "s3cret"))).start();
      try (Gpu remote = Devices.open("vgpu://127.0.0.1:" + backend.port() + "?tenant=edge1&vmem=2",
          Map.of("EDGEPIPE_VGPU_TOKEN", "s3cret"));
          PartitionRunner r = new PartitionRunner(g, 0, steps, remote)) {
        Map<String, float[]> viaShim = r.run(Map.of(input, x));
        for (String out : g.outputs()) {
          assertArrayEquals(whole.get(out), viaShim.get(out), out + " through vgpu:// to a cuda backend");
        }
      } finally {
        backend.stop();
      }
    }
  }

  private static void near(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what);
    int exact = 0;
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs((double) want[i] - got[i]) / Math.max(1.0, Math.abs(want[i]));
      final int at = i;
      assertTrue(err <= 1e-5, () -> what + ": element " + at + " is " + got[at] + ", cpu " + want[at]);
      exact += Float.floatToIntBits(want[i]) == Float.floatToIntBits(got[i]) ? 1 : 0;
    }
    System.out.printf("%s: %d of %d elements bit-identical to cpu%n", what, exact, want.length);
  }
}
