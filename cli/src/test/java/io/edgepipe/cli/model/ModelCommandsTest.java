package io.edgepipe.cli.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.cli.CliRunner;
import io.edgepipe.models.onnx.proto.GraphProto;
import io.edgepipe.models.onnx.proto.ModelProto;
import io.edgepipe.models.onnx.proto.NodeProto;
import io.edgepipe.models.onnx.proto.OperatorSetIdProto;
import io.edgepipe.models.onnx.proto.TensorShapeProto;
import io.edgepipe.models.onnx.proto.TypeProto;
import io.edgepipe.models.onnx.proto.ValueInfoProto;
import io.edgepipe.models.spec.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pipeline model inspect / import / run as a user types them. */
class ModelCommandsTest {
  private static final Path BLAZEFACE = Path.of("../data/models/blazeface-front-128.onnx");

  private static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
  }

  /** relu -> Erf -> relu on a [1, 3, 4, 4] picture. */
  private static Path modelWithErf(Path dir) throws Exception {
    GraphProto g = GraphProto.newBuilder().addInput(value("x", 1, 3, 4, 4))
        .addNode(NodeProto.newBuilder().setOpType("Relu").setName("first").addInput("x").addOutput("a"))
        .addNode(NodeProto.newBuilder().setOpType("Erf").setName("gelu/erf").addInput("a").addOutput("b"))
        .addNode(NodeProto.newBuilder().setOpType("Relu").setName("last").addInput("b").addOutput("c"))
        .addOutput(value("c", 1, 3, 4, 4)).build();
    Path f = dir.resolve("erf.onnx");
    Files.write(f, ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray());
    return f;
  }

  @Test
  void importRefusesAnUnsupportedOperatorInOneLineNamingItsNode(@TempDir Path dir) throws Exception {
    Path model = modelWithErf(dir);
    CliRunner.Outcome r = CliRunner.pipeline("model", "import", model.toString(), "--out", dir.resolve("x.yaml").toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("unsupported operator Erf at node 'gelu/erf'"), r.err());
    assertTrue(Files.notExists(dir.resolve("x.yaml")));
    CliRunner.Outcome inspect = CliRunner.pipeline("model", "inspect", model.toString());
    assertEquals(1, inspect.code());
    assertTrue(inspect.out().contains("UNSUPPORTED unsupported operator Erf at node 'gelu/erf'"), inspect.out());
    assertTrue(inspect.out().contains("UNSUPPORTED unsupported operator Relu at node 'last'"), inspect.out());
  }

  @Test
  void aMissingModelIsOneLineAndExitTwo(@TempDir Path dir) {
    CliRunner.Outcome r = CliRunner.pipeline("model", "inspect", dir.resolve("none.onnx").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("cannot read ONNX model"), r.err());
  }

  @Test
  void importWritesASpecWhoseServicesAreNamedByCuts(@TempDir Path dir) {
    assumeTrue(Files.exists(BLAZEFACE), "needs " + BLAZEFACE + ": run scripts/fetch-models.sh");
    CliRunner.Outcome inspect = CliRunner.pipeline("model", "inspect", BLAZEFACE.toString());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("93 layers, 94 cut points"), inspect.out());
    assertTrue(inspect.out().contains("unsupported nodes:  none"));
    Path spec = dir.resolve("bf.yaml");
    CliRunner.Outcome r = CliRunner.pipeline("model", "import", BLAZEFACE.toString(), "--out", spec.toString(),
        "--cut", "40", "--cut", "8", "--postprocess", "blazeface");
    assertEquals(0, r.code(), r.err());
    ModelSpec s = ModelSpec.load(spec);
    assertEquals(java.util.List.of("bf-c0-c8", "bf-c8-c40", "bf-c40-c93"),
        s.services().stream().map(ModelSpec.Service::name).toList());
    assertTrue(s.input().nhwc());
    CliRunner.Outcome auto = CliRunner.pipeline("model", "import", BLAZEFACE.toString(), "--out", dir.resolve("a.yaml").toString());
    assertEquals(0, auto.code(), auto.err());
    assertTrue(ModelSpec.load(dir.resolve("a.yaml")).autoSplit());
    CliRunner.Outcome badCut = CliRunner.pipeline("model", "import", BLAZEFACE.toString(), "--out",
        dir.resolve("b.yaml").toString(), "--cut", "93");
    assertEquals(2, badCut.code());
    assertTrue(badCut.err().contains("cut 93 is not a cut point"), badCut.err());
  }
}
