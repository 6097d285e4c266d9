package io.edgepipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.bench.OrtReference;
import io.edgepipe.models.exec.ModelInput;
import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Both shipped models, on real photos: the monolith and every single cut (two partitions, the
 * tensors crossing the cut handed from one to the other) match ONNX Runtime within
 * 1e-3 x max(|ref|, 1) per element, and every split gives the same bits as the monolith.
 */
class OrtAgreementTest {

  @Test
  void blazefaceMatchesOnnxRuntimeAtEveryCut() throws Exception {
    check(TestModels.require(TestModels.BLAZEFACE), Map.of(), TestModels.BLAZEFACE_INPUT,
        List.of("astronaut.png", "messi5.jpg", "coffee.png"));
  }

  @Test
  void ppocrClassifierMatchesOnnxRuntimeAtEveryCut() throws Exception {
    check(TestModels.require(TestModels.PPOCR_CLS), Map.of("x", new int[] {1, 3, 48, 192}), TestModels.PPOCR_INPUT,
        List.of("imageTextN.png", "imageTextR.png", "camera.png"));
  }

  private static void check(Path model, Map<String, int[]> shapes, ModelInput input, List<String> photos) throws Exception {
    ModelGraph g = OnnxImporter.load(model, shapes);
    assertTrue(g.unsupported().isEmpty(), () -> "unsupported: " + g.unsupported());
    String inName = g.inputs().keySet().iterator().next();
    try (OrtReference ort = new OrtReference(model, 2); CpuGpu gpu = new CpuGpu()) {
      for (String photo : photos) {
        float[] x = input.fromFile(TestModels.photo(photo));
        Map<String, float[]> ref = ort.run(inName, input.shape(), x);
        Map<String, float[]> mono;
        try (PartitionRunner all = new PartitionRunner(g, 0, g.steps().size(), gpu)) {
          mono = all.run(Map.of(inName, x));
        }
        for (String out : g.outputs()) {
          assertClose(ref.get(out), mono.get(out), model.getFileName() + " " + photo + " " + out + " monolith");
        }
        for (int cut = 1; cut < g.steps().size(); cut++) {
          Map<String, float[]> split = splitRun(g, gpu, cut, inName, x);
          for (String out : g.outputs()) {
            assertArrayEquals(mono.get(out), split.get(out),
                model.getFileName() + " " + photo + " " + out + ": cut " + cut + " differs from the monolith");
          }
        }
      }
    }
  }

  static Map<String, float[]> splitRun(ModelGraph g, CpuGpu gpu, int cut, String inName, float[] x) {
    Map<String, float[]> mid;
    try (PartitionRunner head = new PartitionRunner(g, 0, cut, gpu)) {
      mid = head.run(Map.of(inName, x));
    }
    assertEquals(g.crossing(cut), new ArrayList<>(mid.keySet()));
    try (PartitionRunner tail = new PartitionRunner(g, cut, g.steps().size(), gpu)) {
      return tail.run(new HashMap<>(mid));
    }
  }

  static void assertClose(float[] ref, float[] got, String what) {
    assertEquals(ref.length, got.length, what + ": length");
    double worst = 0;
    int at = -1;
    for (int i = 0; i < ref.length; i++) {
      double err = Math.abs(ref[i] - got[i]) / Math.max(Math.abs(ref[i]), 1.0);
      if (!(err <= worst)) {
        worst = err;
        at = i;
      }
    }
    final double w = worst;
    final int a = at;
    assertTrue(worst <= 1e-3, () -> what + ": element " + a + " is " + got[a] + ", ONNX Runtime says " + ref[a]
        + " (relative error " + w + ")");
  }
}
