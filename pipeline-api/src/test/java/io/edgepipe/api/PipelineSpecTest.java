package io.edgepipe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.proto.DType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineSpecTest {
  private static final Path PIPELINES = Path.of("..", "pipelines");

  @Test
  void shippedThesisSpecHasTheThreeLayersAndTheirShapes() {
    PipelineSpec spec = PipelineSpec.load(PIPELINES.resolve("thesis.yaml"));
    assertEquals(List.of("conv", "relu", "maxpool"), spec.layers().stream().map(LayerSpec::name).toList());
    assertEquals(List.of(new TensorShape(1, 720, 1280), new TensorShape(1, 720, 1280),
        new TensorShape(1, 720, 1280), new TensorShape(1, 360, 640)), spec.shapes());
    assertEquals(List.of(DType.U8, DType.F32, DType.F32, DType.F32), spec.hopTypes());
  }

  @Test
  void shippedCnnSpecMakesConvTheWideStage() {
    PipelineSpec spec = PipelineSpec.load(PIPELINES.resolve("cnn.yaml"));
    assertEquals(new TensorShape(3, 720, 1280), spec.input());
    assertEquals(new TensorShape(4, 720, 1280), spec.shapes().get(1));
    assertEquals(DType.F16, spec.hopTypes().get(1));
  }

  @Test
  void withInputResizesEveryHop() {
    PipelineSpec spec = PipelineSpec.load(PIPELINES.resolve("thesis.yaml")).withInput(129, 257);
    assertEquals(new TensorShape(1, 64, 128), spec.shapes().get(3));
  }

  @Test
  void deliveryIsReliableUnlessTheSpecSaysOtherwise() {
    PipelineSpec plain = PipelineSpec.load(PIPELINES.resolve("thesis.yaml"));
    assertEquals(Delivery.RELIABLE, plain.delivery());
    assertEquals(false, plain.deliveryDeclared());
    PipelineSpec declared = PipelineSpec.parse("""
        input: {channels: 1, height: 4, width: 4}
        delivery: realtime
        stages: [{kind: relu}]
        """);
    assertEquals(Delivery.REALTIME, declared.delivery());
    assertEquals(true, declared.deliveryDeclared());
    assertEquals(true, plain.withDelivery(Delivery.REALTIME).deliveryDeclared(), "a run's choice counts as declared");
  }

  @Test
  void unknownKeyIsNamed() {
    SpecException e = assertThrows(SpecException.class, () -> PipelineSpec.parse("""
        name: x
        input: {channels: 1, height: 8, width: 8}
        stages:
          - {name: conv, kind: conv2d, kernal: 3}
        """));
    assertTrue(e.getMessage().startsWith("stages[0].kernal: unknown key"), e.getMessage());
  }

  @Test
  void unknownTopLevelKeyIsNamed() {
    SpecException e = assertThrows(SpecException.class, () -> PipelineSpec.parse("""
        name: x
        inputs: {channels: 1, height: 8, width: 8}
        stages: [{kind: relu}]
        """));
    assertTrue(e.getMessage().startsWith("inputs: unknown key"), e.getMessage());
  }

  @Test
  void impossibleShapeIsNamed() {
    SpecException e = assertThrows(SpecException.class, () -> PipelineSpec.parse("""
        name: x
        input: {channels: 1, height: 4, width: 4}
        stages:
          - {kind: maxpool, window: 5}
        """));
    assertTrue(e.getMessage().contains("stages[0] (maxpool).window"), e.getMessage());
    SpecException k = assertThrows(SpecException.class, () -> PipelineSpec.parse("""
        input: {channels: 1, height: 4, width: 4}
        stages:
          - {kind: conv2d, kernel: 7}
        """));
    assertTrue(k.getMessage().contains(".kernel: 7 does not fit"), k.getMessage());
  }

  @Test
  void badValuesAreNamed() {
    assertMessage("input.height: must be a positive integer", """
        input: {channels: 1, height: -3, width: 4}
        stages: [{kind: relu}]
        """);
    assertMessage("stages[0].output_dtype: unknown element type 'f64'", """
        input: {channels: 1, height: 4, width: 4}
        stages: [{kind: relu, output_dtype: f64}]
        """);
    assertMessage("stages[0].kind: unknown layer kind 'softmax'", """
        input: {channels: 1, height: 4, width: 4}
        stages: [{kind: softmax}]
        """);
    assertMessage("stages[1].name: 'relu' is used twice", """
        input: {channels: 1, height: 4, width: 4}
        stages: [{kind: relu}, {kind: relu}]
        """);
    assertMessage("stages[0].weights: give exactly one of file or seed", """
        input: {channels: 1, height: 4, width: 4}
        stages: [{kind: conv2d, weights: {}}]
        """);
    assertMessage("stages: missing", "input: {channels: 1, height: 4, width: 4}\n");
  }

  @Test
  void eachHopMayNameItsCodec() {
    PipelineSpec spec = PipelineSpec.parse("""
        input: {channels: 1, height: 4, width: 4, codec: zstd}
        stages: [{kind: conv2d, codec: lz4}, {kind: relu}, {kind: maxpool, codec: none}]
        """);
    assertEquals(List.of(PayloadCodec.ZSTD, PayloadCodec.LZ4, PayloadCodec.NONE, PayloadCodec.NONE), spec.hopCodecs());
    PipelineSpec planned = spec.withHopCodecs(List.of(PayloadCodec.NONE, PayloadCodec.NONE, PayloadCodec.ZSTD,
        PayloadCodec.LZ4));
    assertEquals(PayloadCodec.ZSTD, planned.layer("relu").outputCodec());
    assertEquals(PayloadCodec.NONE, planned.inputCodec());
    assertEquals(PayloadCodec.LZ4, planned.withInput(8, 8).hopCodecs().get(3));
    assertEquals(List.of(PayloadCodec.NONE, PayloadCodec.NONE, PayloadCodec.NONE, PayloadCodec.NONE),
        PipelineSpec.load(PIPELINES.resolve("thesis.yaml")).hopCodecs());
    assertMessage("stages[1].codec: unknown codec 'gzip' (use none, lz4 or zstd)", """
        input: {channels: 1, height: 4, width: 4}
        stages: [{kind: relu}, {kind: maxpool, codec: gzip}]
        """);
    assertMessage("input.codec: unknown codec 'snappy'", """
        input: {channels: 1, height: 4, width: 4, codec: snappy}
        stages: [{kind: relu}]
        """);
  }

  private static void assertMessage(String start, String yaml) {
    SpecException e = assertThrows(SpecException.class, () -> PipelineSpec.parse(yaml));
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }
}
