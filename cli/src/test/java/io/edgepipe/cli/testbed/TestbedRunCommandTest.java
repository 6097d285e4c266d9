package io.edgepipe.cli.testbed;

import io.edgepipe.harness.testbed.TestbedRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.testbed.Sh;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline testbed up / status / run / down} on a real testbed (with a delay, so the
 * forwarders run too). Needs root, network namespaces, tc and cgroup v1 cpu.
 */
class TestbedRunCommandTest {
  private static final String PREFIX = "edgepipe-c";

  @TempDir
  static Path results;

  @BeforeAll
  static void up() {
    List<String> missing = Testbed.missingPrerequisites();
    assumeTrue(missing.isEmpty(), () -> "needs root and network namespaces (ip netns), tc and cgroup v1 cpu ("
        + String.join("; ", missing) + ")");
    Testbed.down(PREFIX);
    TestbedCli.Outcome r = TestbedCli.run("up", "--prefix", PREFIX, "--subnet", "10.77.6.0/30",
        "--bandwidth", "200mbit", "--delay", "2ms", "--edge-cpu", "1");
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("testbed edgepipe-c up: edge 10.77.6.1"), r.out());
  }

  @AfterAll
  static void down() {
    if (Testbed.missingPrerequisites().isEmpty()) {
      TestbedCli.Outcome r = TestbedCli.run("down", "--prefix", PREFIX);
      assertEquals(0, r.code(), r.all());
      assertTrue(Testbed.state(PREFIX).isEmpty());
      assertTrue(TestbedCli.run("status", "--prefix", PREFIX).out().contains(": down"));
    }
  }

  /**
   * A model spec with {@code split: auto} needs no --placement: the planner's cut for this testbed
   * (its edge quota and link) is printed with the placement it implies, and that chain runs.
   */
  @Test
  void aModelSpecWithSplitAutoRunsThePlannersCut() throws Exception {
    Path onnx = Path.of("../data/models/ppocr-cls.onnx").toAbsolutePath();
    assumeTrue(Files.exists(onnx), "needs " + onnx + ": run scripts/fetch-models.sh");
    Path spec = results.resolve("ppocr-auto.yaml");
    Files.writeString(spec, Files.readString(Path.of("../pipelines/ppocr-cls.yaml"))
        .replace("file: data/models/ppocr-cls.onnx", "file: " + onnx).replace("split: cuts", "split: auto")
        .replaceAll("(?s)services:.*", ""));
    TestbedCli.Outcome r = TestbedCli.run("run", "--prefix", PREFIX, "--spec", spec.toString(), "--frames", "5",
        "--device", "cpu", "--no-progress", "--results", results.toString());
    assertEquals(0, r.code(), r.all());
    java.util.regex.Matcher chosen = java.util.regex.Pattern.compile("split: auto -> .*, placement (E[ES]+) \\(")
        .matcher(r.out());
    assertTrue(chosen.find(), r.out());
    assertTrue(r.out().contains("placement " + chosen.group(1) + ","), "the run uses the planned placement:\n" + r.out());
    assertTrue(r.out().matches("(?s).*testbed-" + chosen.group(1) + "/\\w+\\s+5\\s+5\\s+0\\s+0\\s+0\\s.*"), r.out());
  }

  @Test
  void eessStreamsAcrossTheLinkAndLeavesNoProcessBehind() throws Exception {
    TestbedCli.Outcome r = TestbedCli.run("run", "--prefix", PREFIX, "--placement", "EESS",
        "--spec", "../pipelines/thesis.yaml", "--frames", "10", "--width", "32", "--height", "32",
        "--device", "cpu", "--no-progress", "--results", results.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().matches("(?s).*testbed-EESS/\\w+\\s+10\\s+10\\s+0\\s+0\\s+0\\s.*"), r.out());
    assertTrue(r.out().matches("(?s).*\\nconv\\s+edge\\s.*"), r.out());
    assertTrue(r.out().matches("(?s).*\\nrelu\\s+server\\s.*"), r.out());
    assertTrue(r.out().matches("(?s).*\\nmaxpool\\s+server\\s.*"), r.out());
    assertTrue(r.out().contains("delay forwarder delay-edge: forwarded"), r.out());
    assertTrue(r.out().contains("delay forwarder delay-server: forwarded"), r.out());
    try (Stream<Path> files = Files.list(results)) {
      Path csv = files.filter(p -> p.getFileName().toString().startsWith("thesis-EESS-")).findFirst().orElseThrow();
      assertTrue(Files.readString(csv).startsWith("mode,sent,delivered"));
    }
    for (String log : new String[] {"producer", "conv", "relu", "maxpool", "delay-edge", "delay-server"}) {
      assertTrue(Files.exists(results.resolve("logs").resolve(log + ".log")), log);
    }
    TestbedState tb = Testbed.require(PREFIX);
    for (Node node : Node.values()) {
      assertEquals("", Sh.run("ip", "netns", "pids", tb.netns(node)).strip(),
          "processes left on " + node);
    }
    String status = TestbedCli.run("status", "--prefix", PREFIX).out();
    assertTrue(status.contains("processes: none"), status);
  }

  @Test
  void warmUpFramesAreLeftOutOfTheReport() {
    TestbedCli.Outcome r = TestbedCli.run("run", "--prefix", PREFIX, "--placement", "ESSS",
        "--spec", "../pipelines/thesis.yaml", "--frames", "7", "--width", "32", "--height", "32",
        "--device", "cpu", "--no-progress", "--warmup-seconds", "1", "--warmup-max-seconds", "6",
        "--results", results.toString());
    assertEquals(0, r.code(), r.all());
    assertTrue(r.out().contains("first 1.0 s of frames are warm-up, not reported (then on until the rate settles, "
        + "at most 6.0 s in all)"), r.out());
    // at least 20 warm-up frames went through first; the report holds exactly the 7 asked for
    assertTrue(r.out().matches("(?s).*testbed-ESSS/\\w+\\s+7\\s+7\\s+0\\s+0\\s+0\\s.*"), r.out());
  }

  /** One chain, three phases: warm-up (not counted), as fast as it goes, then paced at most 5 fps. */
  @Test
  void oneChainServesAThroughputAndAPacedPhase() {
    io.edgepipe.api.PipelineSpec spec = io.edgepipe.api.PipelineSpec.load(Path.of("../pipelines/thesis.yaml"))
        .withInput(32, 32);
    io.edgepipe.launcher.RunOptions o = new io.edgepipe.launcher.RunOptions(spec, Path.of("../pipelines/thesis.yaml"),
        "synthetic", 12, 0, 1, "cpu", 1, null, "npy");
    try (TestbedRun run = new TestbedRun(Testbed.require(PREFIX), "EESS", results.resolve("phased"))
        .withPhases(new TestbedRun.Phases(0.5, 0, 2, 5, 5))) { // 32x32 rates rarely settle within 5%: capped
      io.edgepipe.harness.RunResult paced = run.run(o, () -> { });
      List<io.edgepipe.harness.RunResult> earlier = run.earlierPhases();
      assertEquals(1, earlier.size());
      assertEquals(12, earlier.get(0).sent());
      assertEquals(12, earlier.get(0).summary().delivered());
      assertEquals(0, earlier.get(0).lost());
      assertEquals(10, paced.sent()); // about 2 s at 5 fps, at least 10 frames
      assertEquals(10, paced.summary().delivered());
      assertTrue(paced.summary().fps() < 6, "paced at most 5 fps: " + paced.summary().fps());
    }
  }

  @Test
  void interruptingARunStopsEveryProcessItStarted() throws Exception {
    TestbedState tb = Testbed.require(PREFIX);
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TestbedMain.class.getName(),
        "run", "--prefix", PREFIX, "--placement", "ESSS", "--spec", "../pipelines/thesis.yaml", "--frames", "100000",
        "--fps", "20", "--width", "32", "--height", "32", "--device", "cpu", "--no-progress",
        "--results", results.resolve("interrupted").toString());
    NodeProcess cli = NodeProcess.start("cli", cmd, results.resolve("interrupted-cli.log"));
    try {
      Path producerLog = results.resolve("interrupted").resolve("logs").resolve("producer.log");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!streaming(producerLog) && cli.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertTrue(streaming(producerLog), "the run is streaming: " + Files.readString(cli.log()));
      assertEquals(6, onNodes(tb), "producer, 3 stages, 2 delay forwarders");
      cli.stop(Duration.ofSeconds(30)); // SIGTERM, as Ctrl-C: the run's shutdown hook kills its children
      assertFalse(cli.isAlive());
      assertEquals(0, onNodes(tb), "processes left on the nodes after the run was interrupted");
    } finally {
      cli.kill();
    }
  }

  private static boolean streaming(Path producerLog) throws java.io.IOException {
    return Files.exists(producerLog) && Files.readString(producerLog).contains("FRAMES");
  }

  private static int onNodes(TestbedState tb) {
    int n = 0;
    for (Node node : Node.values()) {
      n += (int) Sh.run("ip", "netns", "pids", tb.netns(node)).lines().filter(l -> !l.isBlank()).count();
    }
    return n;
  }

  @Test
  void aPlacementOfTheWrongLengthIsRefused() {
    TestbedCli.Outcome r = TestbedCli.run("run", "--prefix", PREFIX, "--placement", "EES",
        "--spec", "../pipelines/thesis.yaml", "--frames", "1", "--device", "cpu", "--no-progress",
        "--results", results.toString());
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("expected 4 letters, one per stage"), r.err());
  }

  @Test
  void anInjectedFailureDuringUpLeavesNothing() {
    TestbedCli.Outcome r = TestbedCli.run("up", "--prefix", "edgepipe-d", "--subnet", "10.77.4.0/30",
        "--fail-after", "link");
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("failure injected after step link"), r.err());
    assertTrue(Testbed.state("edgepipe-d").isEmpty());
    assertTrue(TestbedCli.run("status", "--prefix", "edgepipe-d").out().contains(": down"));
  }
}
