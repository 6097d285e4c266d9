package io.edgepipe.planner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Tier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A profile is used only for the pipeline, layers and frame size it was measured for. */
class ProfileMatchTest {
  static final String LAYERS = "stages:\n"
      + "  - {name: conv, kind: conv2d, out_channels: 1, kernel: 3, stride: 1, padding: 1, weights: {seed: 7}, output_dtype: f32}\n"
      + "  - {name: relu, kind: relu, output_dtype: f32}\n"
      + "  - {name: maxpool, kind: maxpool, window: 2, stride: 2, output_dtype: f32}\n";
  static final PipelineSpec THESIS = PipelineSpec.parse(
      "name: thesis\ninput: {channels: 1, height: 720, width: 1280, dtype: u8}\n" + LAYERS);

  @TempDir
  Path dir;

  static Profile measured(PipelineSpec spec) {
    return ProfileBuilder.forSpec(spec).addCompute("conv", Tier.EDGE, FrameSize.of(spec.input().w(), spec.input().h()), 1, 1)
        .build();
  }

  @Test
  void theSameSpecPasses() {
    ProfileMatch.Result result = ProfileMatch.check(measured(THESIS), "p.json", THESIS, "thesis.yaml", null);
    assertEquals(FrameSize.of(1280, 720), result.frameSize());
    assertNull(result.warning());
  }

  @Test
  void theLayersTravelInTheJson() {
    Path file = dir.resolve("p.json");
    measured(THESIS).write(file);
    assertEquals(LayerSignature.of(THESIS), Profile.read(file).layers());
    assertEquals("conv: conv2d 1 out, 3x3/1 pad 1 -> f32", Profile.read(file).layers().get(1));
  }

  @Test
  void anotherPipelineIsRefusedNamingBoth() {
    PipelineSpec cnn = PipelineSpec.parse("name: cnn\ninput: {channels: 3, height: 720, width: 1280, dtype: u8}\n" + LAYERS);
    ProfileException e = assertThrows(ProfileException.class,
        () -> ProfileMatch.check(measured(THESIS), "thesis.json", cnn, "pipelines/cnn.yaml", null));
    assertEquals("profile thesis.json was measured for pipeline 'thesis' but spec pipelines/cnn.yaml is pipeline "
        + "'cnn'; measure this spec first: pipeline measure --spec pipelines/cnn.yaml", e.getMessage());
  }

  @Test
  void anotherLayerSetIsRefusedNamingTheDifference() {
    PipelineSpec wider = PipelineSpec.parse("name: thesis\ninput: {channels: 1, height: 720, width: 1280, dtype: u8}\n"
        + LAYERS.replace("out_channels: 1", "out_channels: 8"));
    ProfileException e = assertThrows(ProfileException.class,
        () -> ProfileMatch.check(measured(THESIS), "p.json", wider, "wide.yaml", null));
    assertTrue(e.getMessage().contains("'conv: conv2d 1 out, 3x3/1 pad 1 -> f32' but spec wide.yaml has "
        + "'conv: conv2d 8 out, 3x3/1 pad 1 -> f32'"), e.getMessage());
    PipelineSpec rgb = PipelineSpec.parse("name: thesis\ninput: {channels: 3, height: 720, width: 1280, dtype: u8}\n" + LAYERS);
    assertTrue(assertThrows(ProfileException.class, () -> ProfileMatch.check(measured(THESIS), "p.json", rgb, "rgb.yaml",
        null)).getMessage().contains("'input: 1 channel(s) u8' but spec rgb.yaml has 'input: 3 channel(s) u8'"));
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void anotherFrameSizeIsRefused() {
    PipelineSpec small = THESIS.withInput(576, 768);
    ProfileException e = assertThrows(ProfileException.class,
        () -> ProfileMatch.check(measured(THESIS), "p.json", small, "vtest.yaml", null));
    assertEquals("profile p.json was measured for pipeline 'thesis' at [1280x720], not at 768x576 (the input of spec "
        + "vtest.yaml); measure that size: pipeline measure --spec vtest.yaml --sizes 768x576", e.getMessage());
    assertTrue(assertThrows(ProfileException.class, () -> ProfileMatch.check(measured(THESIS), "p.json", THESIS,
        "t.yaml", FrameSize.of(128, 128))).getMessage().contains("not at 128x128 (--frame-size)"));
  }

  @Test
  void aProfileWithoutLayersIsUsedWithAWarning() {
    Profile old = new ProfileBuilder("thesis", List.of("producer", "conv", "relu", "maxpool"))
        .addCompute("conv", Tier.EDGE, FrameSize.of(1280, 720), 1, 1).build();
    ProfileMatch.Result result = ProfileMatch.check(old, "old.json", THESIS, "t.yaml", null);
    assertTrue(result.warning().contains("does not record the layers"), result.warning());
  }

  @Test
  void mergingAnotherPipelinesProfileIsRefused() {
    PipelineSpec cnn = PipelineSpec.parse("name: cnn\ninput: {channels: 3, height: 720, width: 1280, dtype: u8}\n" + LAYERS);
    assertTrue(assertThrows(ProfileException.class, () -> ProfileBuilder.forSpec(THESIS).merge(measured(cnn), "cnn.json"))
        .getMessage().startsWith("profile cnn.json was measured for pipeline 'cnn'"));
    Profile merged = ProfileBuilder.forSpec(THESIS).merge(measured(THESIS), "edge.json").build();
    assertEquals(1, merged.compute().size());
  }
}
