package io.edgepipe.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ranking the cuts of a model: a producer and four layers L0..L3. The edge takes 4, 8, 10, 10 ms
 * per layer, the server 1, 2, 0.5, 0.5 ms; the picture is 100 kB, L0's output 400 kB, L1's 10 kB,
 * L2's 20 kB, the results 1 kB. At 10 Mbit/s a byte takes 0.0008 ms, at 1 Gbit/s 0.000008 ms.
 */
class CutPlannerTest {
  private static final FrameSize SIZE = FrameSize.of(128, 128);

  static Profile model(double bitsPerSecond) {
    List<String> stages = List.of("producer", "L0", "L1", "L2", "L3");
    ProfileBuilder b = new ProfileBuilder("toy", stages);
    double[] edge = {4, 8, 10, 10};
    double[] server = {1, 2, 0.5, 0.5};
    long[] bytes = {100_000, 400_000, 10_000, 20_000, 1_000};
    for (int i = 0; i < 4; i++) {
      b.addCompute(stages.get(i + 1), Tier.EDGE, SIZE, edge[i], edge[i]);
      b.addCompute(stages.get(i + 1), Tier.SERVER, SIZE, server[i], server[i]);
    }
    for (int i = 0; i < 5; i++) {
      b.addHop(stages.get(i) + "->" + (i < 4 ? stages.get(i + 1) : "sink"), SIZE, bytes[i]);
    }
    b.addLink(LinkClass.EDGE_SERVER, bitsPerSecond, 0);
    return b.build();
  }

  private static CutPlanner.CutPlan plan(double bitsPerSecond, PlannerOptions options) {
    return new CutPlanner(options).plan(model(bitsPerSecond));
  }

  @Test
  void aSlowLinkCutsWhereLittleCrossesAndASecondEdgeCutOverlapsComputeWithTheSend() {
    CutPlanner.CutPlan plan = plan(10e6, PlannerOptions.defaults().withCores(1, 1));
    // single cuts: cut 2 sends 10 kB (8 ms) after 12 ms on the edge: 20 ms -> 50 fps
    CutPlanner.CutPrediction cut2 = plan.singles().get(2);
    assertEquals(50.0, cut2.fps(), 1e-9);
    assertEquals(12 + 8 + 2.5 - 1.5 + 0.8, cut2.latencyMs(), 1e-9); // 12 edge + 8 up + 1 server + 0.8 back
    assertEquals(10_000, cut2.bytesUp());
    assertEquals(1_000, cut2.bytesDown());
    // all-server: the 100 kB picture takes 80 ms on the link
    assertEquals(12.5, plan.allServer().fps(), 1e-9);
    assertEquals(0, plan.allServer().cut());
    assertEquals(2, plan.fewestBytes().cut());
    // L0 alone in its own edge service (4 ms) overlaps L1's compute and send (8 + 8 ms): 62.5 fps; the
    // edge's one core needs only 12 ms a frame, so it keeps up
    CutPlanner.CutPrediction w = plan.winner();
    assertEquals("cut 2 + edge cut 1", w.label());
    assertEquals(62.5, w.fps(), 1e-9);
    assertEquals(2, plan.ranked().get(1).cut());
    assertEquals(-1, plan.ranked().get(1).secondCut());
    assertTrue(plan.explanation().startsWith("cut 2 + edge cut 1 wins on throughput with 62.5 fps"), plan.explanation());
    assertTrue(plan.explanation().contains("its limit is the compute of layer 1 on the edge (16.00 ms per frame: "
        + "8.00 ms compute + 8.00 ms send)"), plan.explanation());
    assertTrue(plan.explanation().contains("beats cut 2 alone (50.0 fps"), plan.explanation());
    assertTrue(plan.explanation().contains("All-server (cut 0) would give 12.5 fps"), plan.explanation());
  }

  @Test
  void aFastLinkSendsThePictureToTheServerAndTheServerCpuDecidesWhetherASecondCutPays() {
    CutPlanner.CutPlan oneCore = plan(1e9, PlannerOptions.defaults().withCores(1, 1));
    // cut 0: 0.8 ms up, 4 ms on the server, 0.008 ms back: the server service's 4.008 ms sets the pace
    assertEquals("cut 0", oneCore.winner().label());
    assertEquals(1000 / 4.008, oneCore.winner().fps(), 1e-9);
    // a second server service would not help: the server's one core needs 4 ms a frame for both
    assertTrue(oneCore.ranked().stream().noneMatch(c -> c.secondCut() >= 0));
    // the fewest-bytes rule picks cut 2, 12 ms of edge compute: far slower here
    assertEquals(2, oneCore.fewestBytes().cut());
    assertTrue(oneCore.fewestBytes().fps() < oneCore.winner().fps() / 2);
    assertTrue(oneCore.explanation().contains("its limit is the compute of layers 0-3 on the server"),
        oneCore.explanation());

    CutPlanner.CutPlan twoCores = plan(1e9, PlannerOptions.defaults().withCores(1, 2));
    // two cores: L0+L1 (3 ms) and L2+L3 (1 ms) overlap; the node needs 4 ms / 2 cores = 2 ms
    assertEquals("cut 0 + server cut 2", twoCores.winner().label());
    assertEquals(1000 / 3.0, twoCores.winner().fps(), 1e-9);
  }

  @Test
  void onLatencyTheCutWithTheShortestWalkWinsAndNoSecondCutIsProposed() {
    CutPlanner.CutPlan plan = plan(10e6, PlannerOptions.defaults().withObjective(Objective.LATENCY).withCores(1, 1));
    assertEquals("cut 2", plan.winner().label());
    assertEquals(21.8, plan.winner().latencyMs(), 1e-9);
    assertEquals(32.0, plan.singles().get(4).latencyMs(), 1e-9); // all-edge: nothing crosses the link
    assertEquals(0, plan.singles().get(4).bytesUp());
    assertTrue(plan.explanation().startsWith("cut 2 wins on latency"), plan.explanation());
  }
}
