package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model partition runs unchanged on a remote vGPU (a backend on TCP loopback whose device is the
 * emulated one, with the models module on its class path) and gives the cpu device's bits.
 */
class RemoteVgpuTest {

  @Test
  void classifierOnVgpuIsBitIdenticalToCpu() throws Exception {
    ModelGraph g = OnnxImporter.load(TestModels.require(TestModels.PPOCR_CLS), Map.of("x", new int[] {1, 3, 48, 192}));
    float[] x = TestModels.PPOCR_INPUT.fromFile(TestModels.photo("imageTextN.png"));
    int cut = 60;
    assertTrue(g.crossing(cut).size() >= 1);
    Map<String, float[]> local;
    try (CpuGpu cpu = new CpuGpu(); PartitionRunner r = new PartitionRunner(g, 0, g.steps().size(), cpu)) {
      local = r.run(Map.of("x", x));
    }
    VgpuBackend backend = VgpuBackend.onLoopback(new CpuGpu(), TokenStore.of(Map.of("edge1", "s3cret"))).start();
    try (Gpu remote = Devices.open("vgpu://127.0.0.1:" + backend.port() + "?tenant=edge1&vmem=2",
        Map.of("EDGEPIPE_VGPU_TOKEN", "s3cret"))) {
      Map<String, float[]> mid;
      try (PartitionRunner head = new PartitionRunner(g, 0, cut, remote)) {
        mid = head.run(Map.of("x", x));
      }
      Map<String, float[]> far;
      try (PartitionRunner tail = new PartitionRunner(g, cut, g.steps().size(), remote)) {
        far = tail.run(new HashMap<>(mid));
      }
      for (String out : g.outputs()) {
        assertArrayEquals(local.get(out), far.get(out), out);
      }
    } finally {
      backend.stop();
    }
  }
}
