package io.edgepipe.planner.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {
  private static final FrameSize HD = FrameSize.of(1280, 720);
  private static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");

  @TempDir
  Path dir;

  @Test
  void roundTripsThroughJson() {
    Path file = dir.resolve("p.json");
    Profile written = new ProfileBuilder("thesis", STAGES)
        .addCompute("conv", Tier.EDGE, HD, 21.5, 25.0)
        .addCompute("conv", Tier.SERVER, FrameSize.of(640, 480), 2.0, 2.5)
        .addServiceCpu("conv", Tier.SERVER, FrameSize.of(640, 480), 3.5, 0.06)
        .addHop("conv->relu", HD, 3_686_400)
        .addHopCpu("conv->relu", HD, 9.2)
        .addHop("relu->maxpool", HD, 3_686_400)
        .addLink(LinkClass.EDGE_SERVER, 1e8, 1.5)
        .addTransfer("maxpool->sink", LinkClass.EDGE_SERVER, HD, 9.0)
        .write(file);
    Profile read = Profile.read(file);
    assertEquals(written, read);
    assertEquals(9.2, read.hops().get(0).cpuMs());
    assertEquals(3.5, read.compute().get(1).cpuMsPerFrame());
    assertEquals(0.06, read.compute().get(1).backgroundCores());
    assertFalse(read.compute().get(0).hasServiceCpu());
    assertEquals(null, read.hops().get(1).cpuMs()); // optional: a profile without it still reads
    assertEquals(List.of(FrameSize.of(640, 480), HD), read.frameSizes()); // smallest first
    String json = ProfileJson.toJson(read);
    assertTrue(json.contains("\"tier\" : \"edge\""), json);
    assertTrue(json.contains("\"frameSize\" : \"1280x720\""), json);
    assertTrue(json.contains("\"linkClass\" : \"edge-server\""), json);
  }

  @Test
  void aModelsWholeTimesRoundTripAndAreOptional() {
    Path file = dir.resolve("w.json");
    Profile written = new ProfileBuilder("thesis", STAGES)
        .addCompute("conv", Tier.EDGE, HD, 21.5, 25.0)
        .addWhole(new Profile.Whole(Tier.EDGE, HD, 5.4, 4.1))
        .write(file);
    assertEquals(written, Profile.read(file));
    assertEquals(List.of(new Profile.Whole(Tier.EDGE, HD, 5.4, 4.1)), Profile.read(file).wholeModel());
    // measure's edge and server profiles are merged: the whole-model figures must survive it (CutCosts.cpuPerWall)
    assertEquals(written.wholeModel(), new ProfileBuilder("thesis", STAGES).merge(written, "edge.json").build()
        .wholeModel());
    Profile without = new ProfileBuilder("thesis", STAGES).addCompute("conv", Tier.EDGE, HD, 21.5, 25.0).build();
    assertFalse(ProfileJson.toJson(without).contains("wholeModel")); // older readers see the same JSON
    assertTrue(without.wholeModel().isEmpty());
    assertThrows(IllegalArgumentException.class,
        () -> new ProfileBuilder("thesis", STAGES).addWhole(new Profile.Whole(Tier.EDGE, HD, 4.0, 5.0)));
  }

  @Test
  void aWholeModelsCpuPerFrameRoundTripsAndIsOptional() {
    Path file = dir.resolve("wc.json");
    Profile written = new ProfileBuilder("thesis", STAGES)
        .addWhole(new Profile.Whole(Tier.SERVER, HD, 3.0, 2.8, 4.2))
        .addWhole(new Profile.Whole(Tier.EDGE, HD, 5.4, 4.1))
        .write(file);
    Profile read = Profile.read(file);
    assertEquals(written, read);
    assertEquals(1.4, read.wholeModel().stream().filter(w -> w.tier() == Tier.SERVER).findFirst().orElseThrow()
        .cpuPerWall(), 1e-12);
    assertEquals(1, read.wholeModel().stream().filter(w -> w.tier() == Tier.EDGE).findFirst().orElseThrow()
        .cpuPerWall(), 0); // not measured: its time is its CPU
    String json = ProfileJson.toJson(new ProfileBuilder("thesis", STAGES)
        .addWhole(new Profile.Whole(Tier.EDGE, HD, 5.4, 4.1)).build());
    assertFalse(json.contains("cpuMs"), json); // profiles without it are written as before
    assertThrows(IllegalArgumentException.class,
        () -> new ProfileBuilder("thesis", STAGES).addWhole(new Profile.Whole(Tier.EDGE, HD, 4.0, 3.0, 0.0)));
  }

  @Test
  void laterMeasurementReplacesEarlier() {
    Profile p = new ProfileBuilder("t", STAGES).addCompute("relu", Tier.EDGE, HD, 5, 6)
        .addCompute("relu", Tier.EDGE, HD, 4, 5).build();
    assertEquals(1, p.compute().size());
    assertEquals(4.0, p.compute().get(0).medianMs());
  }

  @Test
  void transferComesFromMeasurementThenLinkThenLoopback() {
    Profile p = new ProfileBuilder("t", STAGES)
        .addHop("producer->conv", HD, 921_600)
        .addLink(LinkClass.EDGE_SERVER, 100e6, 1.0)
        .addTransfer("conv->relu", LinkClass.EDGE_SERVER, HD, 42.0)
        .addCompute("conv", Tier.EDGE, HD, 10, 12)
        .build();
    CostModel costs = new CostModel(p, HD, Statistic.MEDIAN);
    assertEquals(42.0, costs.transferMs(1, LinkClass.EDGE_SERVER), 1e-12);
    assertEquals(1.0 + 921_600 * 8 / 100e6 * 1000, costs.transferMs(0, LinkClass.EDGE_SERVER), 1e-9);
    assertEquals(0.0, costs.transferMs(0, LinkClass.EDGE_EDGE), 1e-12);
    ProfileException e = assertThrows(ProfileException.class, () -> costs.transferMs(3, LinkClass.EDGE_SERVER));
    assertEquals("profile has no transfer time for hop maxpool->sink over edge-server at 1280x720 (no bytes for the "
        + "hop to derive it from the link parameters)", e.getMessage());
    assertEquals(0.0, costs.computeMs(0, Tier.EDGE), 1e-12); // unmeasured producer
    assertEquals(12.0, new CostModel(p, HD, Statistic.P95).computeMs(1, Tier.EDGE), 1e-12);
    assertThrows(ProfileException.class, () -> costs.computeMs(2, Tier.SERVER));
  }

  @Test
  void hopBytesFromTheSpec() {
    PipelineSpec spec = PipelineSpec.parse("name: thesis\ninput: {channels: 1, height: 720, width: 1280, dtype: u8}\n"
        + "stages:\n  - {name: conv, kind: conv2d, out_channels: 1, kernel: 3, stride: 1, padding: 1, weights: {seed: 7}, output_dtype: f32}\n"
        + "  - {name: relu, kind: relu, output_dtype: f32}\n"
        + "  - {name: maxpool, kind: maxpool, window: 2, stride: 2, output_dtype: f32}\n");
    Profile p = ProfileBuilder.forSpec(spec).addHopsFromSpec(spec).build();
    assertEquals(List.of(921_600L, 3_686_400L, 3_686_400L, 921_600L),
        p.hops().stream().map(Profile.Hop::bytes).toList());
    assertEquals("maxpool->sink", p.hops().get(3).hop());
  }

  @Test
  void unknownStagesAndHopsAreRefused() throws Exception {
    assertThrows(IllegalArgumentException.class,
        () -> new ProfileBuilder("t", STAGES).addCompute("pool", Tier.EDGE, HD, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new ProfileBuilder("t", STAGES).addHop("conv->maxpool", HD, 1));
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"schema\":1,\"pipeline\":\"t\",\"stages\":[\"producer\",\"conv\"],"
        + "\"compute\":[{\"stage\":\"relu\",\"tier\":\"edge\",\"frameSize\":\"1x1\",\"medianMs\":1,\"p95Ms\":1}]}");
    ProfileException e = assertThrows(ProfileException.class, () -> Profile.read(file));
    assertTrue(e.getMessage().contains("compute[0].stage 'relu' is not one of [producer, conv]"), e.getMessage());
    Files.writeString(file, "{\"schema\":2,\"pipeline\":\"t\",\"stages\":[\"producer\"]}");
    assertTrue(assertThrows(ProfileException.class, () -> Profile.read(file)).getMessage().contains("schema 2"));
    Files.writeString(file, "{\"schema\":1,\"pipeline\":\"t\",\"stages\":[\"producer\",\"conv\"],\"hops\":[{\"hop\":"
        + "\"producer->conv\",\"frameSize\":\"1x1\",\"bytes\":1,\"cpuMs\":-2}]}");
    assertTrue(assertThrows(ProfileException.class, () -> Profile.read(file)).getMessage().contains("cpuMs is negative"));
    assertThrows(IllegalArgumentException.class, () -> new ProfileBuilder("t", STAGES).addHopCpu("conv->relu", HD, 1));
    Files.writeString(file, "{\"schema\":1,\"pipeline\":\"t\",\"stages\":[\"producer\"],\"extra\":1}");
    assertTrue(assertThrows(ProfileException.class, () -> Profile.read(file)).getMessage().contains("extra"));
  }

  @Test
  void missingFrameSizeIsNamed() {
    Profile p = new ProfileBuilder("t", STAGES).addCompute("conv", Tier.EDGE, HD, 1, 1).build();
    ProfileException e = assertThrows(ProfileException.class,
        () -> new CostModel(p, FrameSize.of(640, 480), Statistic.MEDIAN));
    assertEquals("profile of 't' has no measurements at 640x480 (it has [1280x720])", e.getMessage());
  }
}
