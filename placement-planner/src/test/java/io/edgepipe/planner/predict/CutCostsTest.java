package io.edgepipe.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.planner.profile.Statistic;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A producer and three layers. Hops carry 10, 20, 30 and 40 kB; their CPU as {@code measure}'s
 * ticks give it is 1 ms + 10 ns a byte (1.1 .. 1.4 ms) and their time inside the server 0.5 ms +
 * 10 ns a byte, except the first size, timed cold at 6 ms. Layers take 2, 3 and 4 ms on the edge (timed under its quota), 0.5 ms each
 * on the server.
 */
class CutCostsTest {
  private static final FrameSize SIZE = FrameSize.of(64, 64);
  private static final List<String> STAGES = List.of("producer", "L0", "L1", "L2");

  static Profile model(double linkBitsPerSecond) {
    ProfileBuilder b = new ProfileBuilder("toy", STAGES);
    double[] edge = {2, 3, 4};
    for (int i = 0; i < 3; i++) {
      b.addCompute(STAGES.get(i + 1), Tier.EDGE, SIZE, edge[i], edge[i]);
      b.addCompute(STAGES.get(i + 1), Tier.SERVER, SIZE, 0.5, 0.5);
    }
    addHops(b, true);
    b.addLink(LinkClass.EDGE_SERVER, linkBitsPerSecond, 0);
    return b.build();
  }

  /** The four hops of the toy chain: 10, 20, 30, 40 kB, hop CPU 1 ms + 0.01 ms a kB; with in-node times if asked. */
  private static void addHops(ProfileBuilder b, boolean withInNodeTimes) {
    for (int i = 0; i < 4; i++) {
      String hop = STAGES.get(i) + "->" + (i < 3 ? STAGES.get(i + 1) : "sink");
      long bytes = 10_000L * (i + 1);
      b.addHop(hop, SIZE, bytes);
      b.addHopCpu(hop, SIZE, 1 + 1e-5 * bytes);
      if (withInNodeTimes) {
        b.addTransfer(hop, LinkClass.SERVER_SERVER, SIZE, i == 0 ? 6 : 0.5 + 1e-5 * bytes);
        b.addTransfer(hop, LinkClass.EDGE_EDGE, SIZE, 20); // timed under the edge's quota: the quota, not the hop
      }
    }
  }

  @Test
  void hopsFollowTheFitsAndTheLinkPaysTheFixedCostBesideItsBytes() {
    Profile tuned = CutCosts.tune(model(100e6), SIZE);
    CostModel costs = new CostModel(tuned, SIZE, Statistic.MEDIAN);
    assertEquals(0.5 + 0.1, costs.transferMs(0, LinkClass.EDGE_EDGE), 1e-9); // the cold 6 ms is gone
    assertEquals(0.5 + 0.1, costs.transferMs(0, LinkClass.SERVER_SERVER), 1e-9);
    // 20 kB over 100 Mbit/s: 1.6 ms on the wire, plus the hop's own 0.7 ms
    assertEquals(0.7 + 1.6, costs.transferMs(1, LinkClass.EDGE_SERVER), 1e-9);
    // a hop's CPU is its busy time in the server (0.7 ms), not the tick-based figure (1.2 ms)
    assertEquals(0.7, costs.hopCpuMs(1), 1e-9);
  }

  @Test
  void withoutInNodeTimesTheHopCpuIsTheFitOfTheMeasuredCpu() {
    ProfileBuilder b = new ProfileBuilder("toy", STAGES);
    for (int i = 0; i < 3; i++) {
      b.addCompute(STAGES.get(i + 1), Tier.EDGE, SIZE, 1, 1);
    }
    addHops(b, false);
    CostModel costs = new CostModel(CutCosts.tune(b.build(), SIZE), SIZE, Statistic.MEDIAN);
    assertEquals(1.2, costs.hopCpuMs(1), 1e-9);
  }

  @Test
  void theEdgeCpuLimitCountsComputeTimedUnderTheQuotaAsCpuAndHalfOfEachHopAtEitherEnd() {
    PlannerOptions options = PlannerOptions.defaults().withCores(0.5, 0);
    CutPlanner.CutPlan plan = new CutPlanner(options).plan(model(1e9));
    CutPlanner.CutPrediction cut2 = plan.singles().get(2);
    // hop CPU = the fitted busy time in the node: 0.6, 0.7, 0.8, 0.9 ms for 10..40 kB.
    // producer: half the picture's hop (0.6) + half the results' (0.9) for the sink; L0: 2 + 0.6/2 + 0.7/2;
    // L1: 3 + 0.7/2 + 0.8/2; fused, the hop between them (0.7) is gone: 5 + 0.6 + 0.4 + 0.45
    assertEquals(5 + 0.6 + 0.4 + 0.45, cut2.edgeCpuMs(), 1e-9);
    // half a core: 12.9 ms a frame (the old estimate took the 5 ms as 2.5 ms of CPU)
    assertEquals(1000 / ((5 + 0.6 + 0.4 + 0.45) / 0.5), cut2.fps(), 1e-9);
    assertEquals("edge CPU", cut2.bottleneck());
    // all-server: the edge only sends the picture and takes the results
    assertEquals(0.6 / 2 + 0.9 / 2, plan.allServer().edgeCpuMs(), 1e-9);
  }

  @Test
  void aLayersCpuIsItsTimeTimesTheWholeModelsCpuOverWallOnItsTier() {
    // the edge's whole model: 6 ms a frame back to back, 9 ms of CPU (its kernels on two threads)
    Profile profile = ProfileBuilder.copyOf(model(1e9)).addWhole(new Profile.Whole(Tier.EDGE, SIZE, 6, 5, 9.0)).build();
    CostModel costs = new CostModel(CutCosts.tune(profile, SIZE), SIZE, Statistic.MEDIAN);
    CostModel plain = new CostModel(CutCosts.tune(model(1e9), SIZE), SIZE, Statistic.MEDIAN);
    // L0: 2 ms of time, 3 ms of CPU, beside half of each of its hops (0.6, 0.7)
    assertEquals(2 * 1.5 + 0.3 + 0.35, costs.serviceCpu(1, Tier.EDGE).cpuMsPerFrame(), 1e-9);
    assertEquals(2 + 0.3 + 0.35, plain.serviceCpu(1, Tier.EDGE).cpuMsPerFrame(), 1e-9);
    // the time that paces the service is still the measured time
    assertEquals(2, costs.computeMs(1, Tier.EDGE), 1e-12);
    // the server's whole model has no CPU figure: its layers' time is their CPU, as before
    assertEquals(plain.serviceCpu(1, Tier.SERVER).cpuMsPerFrame(), costs.serviceCpu(1, Tier.SERVER).cpuMsPerFrame(),
        1e-12);
    // a whole-model time without CPU changes nothing
    Profile noCpu = ProfileBuilder.copyOf(model(1e9)).addWhole(new Profile.Whole(Tier.EDGE, SIZE, 6, 5)).build();
    assertEquals(1, CutCosts.cpuPerWall(noCpu, Tier.EDGE, SIZE), 0);
    assertEquals(1.5, CutCosts.cpuPerWall(profile, Tier.EDGE, SIZE), 1e-12);
    assertEquals(1, CutCosts.cpuPerWall(profile, Tier.EDGE, FrameSize.of(8, 8)), 0); // another size: not timed
  }

  @Test
  void aProfileWithServiceCpuMeasuredInARunningChainKeepsIt() {
    ProfileBuilder b = ProfileBuilder.copyOf(model(1e9));
    for (int i = 1; i < 4; i++) {
      b.addServiceCpu(STAGES.get(i), Tier.EDGE, SIZE, 1, 0.1);
    }
    Profile tuned = CutCosts.tune(b.build(), SIZE);
    CostModel costs = new CostModel(tuned, SIZE, Statistic.MEDIAN);
    assertEquals(1, costs.serviceCpu(1, Tier.EDGE).cpuMsPerFrame(), 1e-12);
    assertEquals(null, costs.serviceCpu(1, Tier.SERVER));
  }
}
