package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.SpecException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service runs one layer or a group of consecutive layers, named conv+relu. */
class LayerGroupTest {
  private static final PipelineSpec SPEC = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));

  @Test
  void aGroupIsNamedByItsLayersAndReadBackFromTheName() {
    assertEquals("conv+relu", LayerGroup.name(List.of("conv", "relu")));
    assertEquals(List.of("conv", "relu"), LayerGroup.layers(SPEC, "conv+relu"));
    assertEquals(List.of("maxpool"), LayerGroup.layers(SPEC, "maxpool"));
    assertEquals(List.of(List.of("conv"), List.of("relu"), List.of("maxpool")), LayerGroup.oneEach(SPEC));
  }

  @Test
  void aGroupsLayersMustBeConsecutiveAndKnown() {
    IllegalArgumentException gap = assertThrows(IllegalArgumentException.class,
        () -> LayerGroup.layers(SPEC, "conv+maxpool"));
    assertTrue(gap.getMessage().contains("consecutive"), gap.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LayerGroup.layers(SPEC, "relu+conv"));
    assertThrows(SpecException.class, () -> LayerGroup.layers(SPEC, "conv+pool"));
  }

  @Test
  void aGroupStartsAtItsFirstLayerAndFeedsTheSinkWhenItEndsTheChain() {
    StageOptions tail = new StageOptions(SPEC, "relu+maxpool", "127.0.0.1", 0, -1, "127.0.0.1:1", "cpu", "local");
    assertEquals(1, tail.index());
    assertTrue(tail.feedsSink());
    StageOptions head = new StageOptions(SPEC, "conv+relu", "127.0.0.1", 0, -1, "127.0.0.1:1", "cpu", "local");
    assertEquals(0, head.index());
    assertFalse(head.feedsSink());
  }
}
