package io.edgepipe.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.cli.CliRunner;
import io.edgepipe.cli.CliRunner.Outcome;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pipeline plan` as a user types it: each misuse is one line and exit code 2; nothing is written unasked. */
class PlanCommandTest {
  static final Path THESIS = Path.of("../pipelines/thesis.yaml");
  static final FrameSize HD = FrameSize.of(1280, 720);

  @TempDir
  Path dir;
  Path profile;

  /** The thesis chain measured at 1280x720 and 128x128: the edge is slow, conv heavy on the server. */
  @BeforeEach
  void measuredThesis() throws Exception {
    PipelineSpec spec = PipelineSpec.load(THESIS);
    ProfileBuilder b = ProfileBuilder.forSpec(spec);
    List<String> hops = StageChain.of(spec).hopNames();
    double[] edge = {0, 400, 400, 400};
    double[] server = {20, 40, 2, 2};
    for (FrameSize size : List.of(HD, FrameSize.of(128, 128))) {
      for (int i = 0; i < 4; i++) {
        b.addCompute(StageChain.of(spec).stage(i), Tier.EDGE, size, edge[i], edge[i]);
        b.addCompute(StageChain.of(spec).stage(i), Tier.SERVER, size, server[i], server[i]);
        b.addTransfer(hops.get(i), LinkClass.EDGE_SERVER, size, new double[] {5, 100, 100, 1}[i]);
        b.addTransfer(hops.get(i), LinkClass.EDGE_EDGE, size, 0);
        b.addTransfer(hops.get(i), LinkClass.SERVER_SERVER, size, 0);
      }
    }
    profile = dir.resolve("thesis.json");
    b.write(profile);
  }

  private static void assertOneLineError(Outcome r, String... fragments) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    for (String fragment : fragments) {
      assertTrue(r.err().contains(fragment), "'" + fragment + "' in: " + r.err());
    }
  }

  private Path specVariant(String name, String from, String to) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, Files.readString(THESIS).replace(from, to));
    return file;
  }

  @Test
  void aProfileOfAnotherPipelineIsRefused() {
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", "../pipelines/cnn.yaml",
        "-o", dir.resolve("m").toString()), "measured for pipeline 'thesis'", "is pipeline 'cnn'");
    assertFalse(Files.exists(dir.resolve("m")), "nothing written");
  }

  @Test
  void aProfileOfAnotherLayerSetIsRefused() throws Exception {
    Path wider = specVariant("wider.yaml", "out_channels: 1", "out_channels: 8");
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", wider.toString(),
        "--no-manifests"), "conv: conv2d 1 out", "conv: conv2d 8 out");
  }

  @Test
  void aProfileOfAnotherFrameSizeIsRefused() throws Exception {
    Path vtest = specVariant("vtest.yaml", "height: 720, width: 1280", "height: 576, width: 768");
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", vtest.toString(),
        "--no-manifests"), "at [128x128, 1280x720], not at 768x576");
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--frame-size", "640x480", "--no-manifests"), "not at 640x480 (--frame-size)");
    // a profiled size other than the spec's input compares, but does not write manifests for the spec
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--frame-size", "128x128", "-o", dir.resolve("m").toString()), "differs from the input 1280x720");
    assertEquals(0, CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--frame-size", "128x128", "--no-manifests").code());
  }

  @Test
  void badReplicasAreOneLine() {
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--replicas", "many", "--no-manifests"), "--replicas 'many'");
    assertOneLineError(CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", THESIS.toString(),
        "--replicas", "auto", "-o", dir.toString()), "needs a plan");
    // one server core: its CPU limits, and the refusal says so in the plan's own words
    assertOneLineError(CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--edge-cores", "1", "--server-cores", "1", "--replicas", "2", "-o", dir.resolve("m").toString()),
        "--replicas 2: the server node's CPU is the limit");
  }

  @Test
  void withoutCoresItAssumesThisMachineAndSaysSo() {
    Outcome r = CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(), "--no-manifests");
    assertEquals(0, r.code(), r.err());
    int cores = Runtime.getRuntime().availableProcessors();
    assertTrue(r.out().contains("cores edge " + cores + " / server " + cores), r.out());
    assertTrue(r.out().contains("cores not given: assumed this machine's"), r.out());
    Outcome unlimited = CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--edge-cores", "0", "--server-cores", "0", "--no-manifests");
    assertTrue(unlimited.out().contains("cores edge unlimited / server unlimited"), unlimited.out());
    assertFalse(unlimited.out().contains("assumed"), unlimited.out());
  }

  @Test
  void replicasReachTheManifestsOnlyWhenAsked() throws Exception {
    Path out = dir.resolve("out");
    Outcome plain = CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--edge-cores", "1", "--server-cores", "4", "-o", out.toString());
    assertEquals(0, plain.code(), plain.err());
    Path conv = out.resolve("thesis-ESSS/conv.yaml");
    assertTrue(Files.readString(conv).contains("replicas: 1"), Files.readString(conv));
    assertTrue(plain.out().contains("not written: add --replicas auto"), plain.out());

    Outcome auto = CliRunner.pipeline("plan", "--profile", profile.toString(), "--spec", THESIS.toString(),
        "--edge-cores", "1", "--server-cores", "4", "--replicas", "auto", "-o", out.toString());
    assertEquals(0, auto.code(), auto.err());
    assertTrue(auto.out().contains("with replicas {conv=4}"), auto.out());
    assertTrue(Files.readString(conv).contains("replicas: 4"), Files.readString(conv));
  }

  @Test
  void autoplaceNeedsOneOfPlacementOrProfile() {
    assertOneLineError(CliRunner.pipeline("autoplace", "--spec", THESIS.toString()), "not neither");
    assertOneLineError(CliRunner.pipeline("autoplace", "--spec", THESIS.toString(), "--placement", "ESSS", "--profile",
        profile.toString()), "not both");
  }
}
