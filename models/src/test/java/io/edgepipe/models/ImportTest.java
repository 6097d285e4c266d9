package io.edgepipe.models;

import static io.edgepipe.models.TinyModels.floats;
import static io.edgepipe.models.TinyModels.ints;
import static io.edgepipe.models.TinyModels.longs;
import static io.edgepipe.models.TinyModels.node;
import static io.edgepipe.models.TinyModels.tensor;
import static io.edgepipe.models.TinyModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.exec.PartitionRunner;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.models.onnx.proto.GraphProto;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The importer's own work: weights from initializers and Constant nodes, folding, refusals. */
class ImportTest {
  private static final Random RANDOM = new Random(3);

  private static float[] random(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = RANDOM.nextFloat() * 2 - 1;
    }
    return v;
  }

  @Test
  void batchNormAfterConvIsFoldedIntoItsWeights() {
    float[] w = random(4 * 3 * 3 * 3);
    float[] gamma = random(4), beta = random(4), mean = random(4), var = {0.5f, 1f, 2f, 3f};
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(value("x", 1, 3, 6, 5))
        .addInitializer(floats("w", w, 4, 3, 3, 3))
        .addNode(node("Constant", "c_gamma", new String[0], "gamma", tensor("value", floats("", gamma, 4))))
        .addInitializer(floats("beta", beta, 4)).addInitializer(floats("mean", mean, 4)).addInitializer(floats("var", var, 4))
        .addNode(node("Conv", "conv", new String[] {"x", "w"}, "y", ints("pads", 1, 1, 1, 1)))
        .addNode(node("BatchNormalization", "bn", new String[] {"y", "gamma", "beta", "mean", "var"}, "z"))
        .addNode(node("Relu", "relu", new String[] {"z"}, "out"))
        .addOutput(value("out", 1, 4, 6, 5));
    ModelGraph m = OnnxImporter.read(TinyModels.model(g, 13), "tiny", Map.of());
    assertEquals(List.of("Conv", "Relu"), m.steps().stream().map(Step::op).toList());
    assertEquals(1, m.folded().get("BatchNormalization"));
    float[] x = random(3 * 6 * 5);
    float[] got;
    try (CpuGpu gpu = new CpuGpu(); PartitionRunner r = new PartitionRunner(m, 0, 2, gpu)) {
      got = r.run(Map.of("x", x)).get("out");
    }
    // reference: convolution, then normalisation, then relu, unfused, in double
    for (int o = 0; o < 4; o++) {
      for (int y = 0; y < 6; y++) {
        for (int xo = 0; xo < 5; xo++) {
          double s = 0;
          for (int c = 0; c < 3; c++) {
            for (int ky = 0; ky < 3; ky++) {
              for (int kx = 0; kx < 3; kx++) {
                int iy = y - 1 + ky, ix = xo - 1 + kx;
                if (iy >= 0 && iy < 6 && ix >= 0 && ix < 5) {
                  s += (double) w[((o * 3 + c) * 3 + ky) * 3 + kx] * x[(c * 6 + iy) * 5 + ix];
                }
              }
            }
          }
          double z = (s - mean[o]) / Math.sqrt(var[o] + 1e-5) * gamma[o] + beta[o];
          double ref = Math.max(0, z);
          assertEquals(ref, got[(o * 6 + y) * 5 + xo], 1e-5 * Math.max(1, Math.abs(ref)));
        }
      }
    }
  }

  @Test
  void shapeOperatorsFoldToConstants() {
    // Flatten as exporters write it: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1]))
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(value("x", 2, 3, 4))
        .addInitializer(longs("zero", new long[] {0}))
        .addInitializer(longs("minus_one", new long[] {-1}, 1))
        .addNode(node("Shape", "shape", new String[] {"x"}, "s"))
        .addNode(node("Gather", "gather", new String[] {"s", "zero"}, "n"))
        .addNode(node("Unsqueeze", "unsq", new String[] {"n"}, "n1", ints("axes", 0)))
        .addNode(node("Cast", "cast", new String[] {"n1"}, "n2", io.edgepipe.models.onnx.proto.AttributeProto.newBuilder()
            .setName("to").setType(io.edgepipe.models.onnx.proto.AttributeProto.AttributeType.INT).setI(7).build()))
        .addNode(node("Concat", "cat", new String[] {"n2", "minus_one"}, "target",
            io.edgepipe.models.onnx.proto.AttributeProto.newBuilder().setName("axis")
                .setType(io.edgepipe.models.onnx.proto.AttributeProto.AttributeType.INT).setI(0).build()))
        .addNode(node("Reshape", "reshape", new String[] {"x", "target"}, "y"))
        .addOutput(value("y", 2, 12));
    ModelGraph m = OnnxImporter.read(TinyModels.model(g, 12), "tiny", Map.of());
    assertEquals(List.of("Reshape"), m.steps().stream().map(Step::op).toList());
    assertArrayEquals(new int[] {2, 12}, m.shapes().get("y"));
    assertTrue(m.folded().keySet().containsAll(List.of("Shape", "Gather", "Unsqueeze", "Cast", "Concat")), m.folded().toString());
    assertArrayEquals(new int[] {2, 12}, m.steps().get(0).outputShape());
  }

  @Test
  void unsupportedOperatorIsNamedWithItsNodeAndNothingAfterItRuns() {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(value("x", 1, 4))
        .addNode(node("Relu", "r0", new String[] {"x"}, "a"))
        .addNode(node("Erf", "the_erf", new String[] {"a"}, "b"))
        .addNode(node("Relu", "r1", new String[] {"b"}, "c"))
        .addOutput(value("c", 1, 4));
    ModelGraph m = OnnxImporter.read(TinyModels.model(g, 13), "tiny", Map.of());
    assertEquals("unsupported operator Erf at node 'the_erf': the operator is not in the supported set",
        m.unsupported().get(0).line());
    assertEquals(2, m.unsupported().size(), "the node after it cannot run either: " + m.unsupported());
    assertTrue(m.unsupported().get(1).reason().contains("comes from a node that cannot run"));
  }

  @Test
  void cutsCrossEveryLiveTensor() {
    // x -> a = relu(x); b = relu(a); c = a + b: the cut between b and the Add crosses a and b
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(value("x", 1, 5))
        .addNode(node("Relu", "r0", new String[] {"x"}, "a"))
        .addNode(node("Relu", "r1", new String[] {"a"}, "b"))
        .addNode(node("Add", "add", new String[] {"a", "b"}, "c"))
        .addOutput(value("c", 1, 5));
    ModelGraph m = OnnxImporter.read(TinyModels.model(g, 13), "tiny", Map.of());
    assertEquals(List.of("x"), m.crossing(0));
    assertEquals(List.of("a"), m.crossing(1));
    assertEquals(List.of("a", "b"), m.crossing(2));
    assertEquals(40, m.crossingBytes(2));
    assertEquals(List.of("c"), m.crossing(3));
  }
}
