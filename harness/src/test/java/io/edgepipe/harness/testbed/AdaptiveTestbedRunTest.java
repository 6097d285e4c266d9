package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.testbed.Names;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedConfig;
import io.edgepipe.testbed.TestbedState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three moves of a reliable chain between the testbed's nodes while frames flow (ESSS -> EESS ->
 * EEES -> ESSS: conv to the edge, relu to the edge, then both back), each the way the adaptive
 * controller makes it, make-before-break: the stage started on its new node, its upstream
 * switched to it at once, the old instance left to finish its frames along the old path, then
 * stopped. Every frame sent is delivered once: 0 lost, 0 duplicated; no frame takes a mixed path. Needs root, network namespaces, tc and cgroup v1 cpu; the same
 * logic (repoint, drain, stop) is tested everywhere on loopback by RelocatableRunTest.
 */
class AdaptiveTestbedRunTest {
  private static final String PREFIX = "edgepipe-at"; // not "edgepipe-ad", which E7 runs by hand use
  private static TestbedState state;

  @TempDir
  static Path logs;

  @BeforeAll
  static void up() {
    List<String> missing = Testbed.missingPrerequisites();
    assumeTrue(missing.isEmpty(), () -> "skipped: moving stages between testbed nodes needs root, network "
        + "namespaces (ip netns), tc and cgroup v1 cpu (" + String.join("; ", missing) + ")");
    Testbed.down(PREFIX);
    state = Testbed.up(TestbedConfig.defaults().withPrefix(PREFIX).withSubnet("10.77.11.0/30")
        .withBandwidth("1gbit").withEdgeCpu(1));
  }

  @AfterAll
  static void down() {
    if (state != null) {
      Testbed.down(PREFIX);
      assertTrue(Testbed.state(PREFIX).isEmpty());
      assertTrue(Files.notExists(new Names(PREFIX).shmDir(Node.EDGE)), "the nodes' shm folders are removed");
    }
  }

  @Test
  void threeMovesAcrossTheNodesLoseAndDuplicateNothing() throws Exception {
    Path specFile = Path.of("../pipelines/thesis.yaml");
    PipelineSpec spec = PipelineSpec.load(specFile).withInput(64, 64).withDelivery(Delivery.RELIABLE);
    List<String> plan = List.of("EESS", "EEES", "ESSS");
    List<TestbedRun.Move> moves = new CopyOnWriteArrayList<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    Set<String> paths = ConcurrentHashMap.newKeySet();
    long[] delivered = new long[1];
    TestbedRun.AdaptiveListener mover = new TestbedRun.AdaptiveListener() {
      @Override
      public void onMain(TestbedRun run) {
        Thread t = new Thread(() -> {
          try {
            for (String target : plan) {
              Thread.sleep(1500); // frames flow on the placement before each move
              moves.add(run.moveTo(new Placement(target)));
            }
            Thread.sleep(1500);
          } catch (Exception e) {
            failures.add(e.toString());
          } finally {
            run.stopStream();
          }
        }, "mover");
        t.setDaemon(true);
        t.start();
      }

      @Override
      public void onTiming(TimingWindow.Report report) {
        report.paths().forEach(p -> paths.add(p.path()));
        delivered[0] = report.delivered();
      }

      @Override
      public void onStreamEnd() {}
    };
    RunResult result;
    try (TestbedRun run = new TestbedRun(state, "ESSS", logs).adaptive(mover, false)) {
      // paced, so the moves happen while frames are in flight rather than while a saturated edge starts JVMs
      result = run.run(new RunOptions(spec, specFile, "synthetic", 0, 150, 1, "cpu", 1, null, "npy"), () -> { });
    }
    assertEquals(List.of(), failures);
    assertEquals(3, moves.size());
    for (int i = 0; i < moves.size(); i++) {
      assertNotNull(moves.get(i), "move " + i + " happened");
      assertEquals(plan.get(i), moves.get(i).to().letters());
      assertTrue(moves.get(i).drained(), "each old instance answered every frame before it was left: " + moves);
      assertTrue(moves.get(i).switchedMs() <= moves.get(i).drainedMs(), "new frames flowed before the drain ended");
    }
    System.out.println("moves (ms from the start of each: new instances listening, switched, old drained): " + moves);
    assertEquals(Set.of("ESSS", "EESS", "EEES"), paths, "frames took every placement, and only those: the old "
        + "instances' frames finish along the old path");
    assertTrue(result.sent() > 300, "frames flowed through the moves: " + result.sent());
    assertEquals(0, result.lost(), "0 lost: " + result.summary());
    assertEquals(0, result.summary().duplicates(), "0 duplicated: " + result.summary());
    assertEquals(result.sent(), result.summary().delivered(), "every frame delivered once: " + result.summary());
    assertEquals(0, result.summary().gaps(), "no gap in any flow");
    for (Node node : Node.values()) {
      assertEquals(List.of(), io.edgepipe.testbed.Testbed.pidsIn(state, node), "no process left on " + node);
    }
  }
}
