package io.edgepipe.planner.predict;

import static io.edgepipe.planner.TestProfiles.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.TestProfiles;
import io.edgepipe.planner.profile.Profile;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private static final double NA = Double.NaN;

  /**
   * Throughput and latency disagree. Edge-server hops are expensive, the server is fast, and a
   * producer on the server costs 30 ms (decoding the stream there).
   * ESSS: periods 15 (producer send), 5, 1, 9 -> 66.7 fps; latency 15+5+1+1+8 = 30.
   * EEEE: periods 20, 4, 4 -> 50 fps; latency 28.
   */
  static final Profile SPLIT = TestProfiles.of(
      ms(0, 20, 4, 4), ms(30, 5, 1, 1), ms(15, 30, 30, 8), ms(0, 0, 0, 0));

  private static PlanReport plan(Profile profile, PlannerOptions options) {
    return new Planner(options).plan(profile);
  }

  private static List<String> order(PlanReport report) {
    return report.ranked().stream().map(p -> p.placement().letters()).collect(Collectors.toList());
  }

  @Test
  void throughputWinnerIsTheSlowestStageFastest() {
    PlanReport report = plan(SPLIT, PlannerOptions.defaults());
    Prediction esss = report.winner();
    assertEquals("ESSS", esss.placement().letters());
    assertEquals(1000.0 / 15, esss.fps(), 1e-9);
    assertEquals(30.0, esss.latencyMs(), 1e-9);
    assertEquals("edge-server link (producer->conv)", esss.bottleneck());
    assertEquals(List.of("ESSS", "EEEE", "SSSS", "EEES", "EESS"), order(report));
    // CCR: producer has no compute (undefined), conv's output stays on the server, maxpool returns 8 ms / 1 ms
    assertTrue(Double.isNaN(esss.ccr("producer")));
    assertEquals(0.0, esss.ccr("conv"), 1e-12);
    assertEquals(8.0, esss.ccr("maxpool"), 1e-12);
    assertTrue(report.explanation().startsWith("ESSS wins on throughput with 66.7 fps: the edge-server link under "
        + "producer->conv is its limit; producer on the edge needs 15.00 ms per frame (0.00 ms compute + 15.00 ms send)"), report.explanation());
    assertTrue(report.explanation().contains("the runner-up EEEE reaches 50.0 fps"), report.explanation());
  }

  @Test
  void latencyWinnerDiffers() {
    PlanReport report = plan(SPLIT, PlannerOptions.defaults().withObjective(Objective.LATENCY));
    assertEquals("EEEE", report.winner().placement().letters());
    assertEquals(28.0, report.winner().latencyMs(), 1e-9);
    assertEquals(List.of("EEEE", "ESSS", "SSSS", "EESS", "EEES"), order(report));
    assertTrue(report.explanation().startsWith("EEEE wins on latency with 28.00 ms end to end"), report.explanation());
  }

  @Test
  void eachHopUsesTheLinkItsEndsImply() {
    // EEES: relu (E) -> maxpool (S) crosses the uplink (30), maxpool (S) -> sink at the producer (E) too (8)
    Prediction eees = new Planner(PlannerOptions.defaults()).predict(SPLIT, new Placement("EEES"));
    assertEquals(30.0, eees.unit("relu").sendMs(), 1e-12);
    assertEquals(8.0, eees.unit("maxpool").sendMs(), 1e-12);
    assertEquals(0.0, eees.unit("conv").sendMs(), 1e-12);
    assertEquals(20 + 4 + 30 + 1 + 8, eees.latencyMs(), 1e-9);
    assertEquals("edge-server link (relu->maxpool)", eees.bottleneck());
  }

  /** conv costs 50 ms on either tier; relu and maxpool 1 ms; the uplink 2 ms a hop. */
  static final Profile TIED = TestProfiles.of(ms(0, 50, 1, 1), ms(0, 50, 1, 1), ms(2, 2, 2, 2), ms(0, 0, 0, 0));

  @Test
  void tiesFallToLatencyThenFewerServerStages() {
    PlanReport report = plan(TIED, PlannerOptions.defaults());
    // 20 fps everywhere but EESS; EEEE and SSSS both take 52 ms, EEES and ESSS 56 ms
    assertEquals(List.of("EEEE", "SSSS", "EEES", "ESSS", "EESS"), order(report));
    assertEquals(PlacementRanking.Reason.FEWER_ON_SERVER,
        PlacementRanking.decidedBy(Objective.THROUGHPUT, report.ranked().get(0), report.ranked().get(1)));
    assertEquals(PlacementRanking.Reason.OTHER_METRIC,
        PlacementRanking.decidedBy(Objective.THROUGHPUT, report.ranked().get(1), report.ranked().get(2)));
    assertTrue(report.explanation().contains("ties with SSSS on fps and on the other metric, and wins the tie-break "
        + "by putting fewer stages on the server"), report.explanation());
  }

  @Test
  void fullTiesEndInLexicalOrder() {
    Profile flat = TestProfiles.of(ms(5, 5, 5, 5), ms(5, 5, 5, 5), ms(0, 0, 0, 0), ms(0, 0, 0, 0));
    PlanReport report = plan(flat, PlannerOptions.defaults().withAllPlacements(true));
    assertEquals(16, report.ranked().size());
    assertEquals(List.of("EEEE", "EEES", "EESE", "ESEE", "SEEE", "EESS"), order(report).subList(0, 6));
    assertEquals("SSSS", order(report).get(15));
    assertEquals(PlacementRanking.Reason.LEXICAL,
        PlacementRanking.decidedBy(Objective.THROUGHPUT, report.ranked().get(1), report.ranked().get(2)));
  }

  /**
   * A costly in-node hop between conv and relu (10 ms of serialization on loopback); the server
   * is slow, so EEEE wins with conv's period 2 + 10 = 12 ms. Fusing conv+relu removes that hop.
   */
  @Test
  void fusingWinsWhenTheHopCostsMoreThanTheWork() {
    Profile profile = TestProfiles.of(ms(0, 2, 2, 2), ms(100, 100, 100, 100), ms(50, 50, 50, 50), ms(1, 10, 1, 1));
    PlanReport report = plan(profile, PlannerOptions.defaults());
    assertEquals("EEEE", report.winner().placement().letters());
    assertEquals(1000.0 / 12, report.winner().fps(), 1e-9);
    Map<String, FusionOption> fusion = report.fusion().stream()
        .collect(Collectors.toMap(FusionOption::services, f -> f));
    assertEquals(List.of("producer+conv", "conv+relu", "relu+maxpool"),
        report.fusion().stream().map(FusionOption::services).collect(Collectors.toList()));
    FusionOption convRelu = fusion.get("conv+relu");
    assertTrue(convRelu.wins());
    assertEquals(200.0, convRelu.fused().fps(), 1e-9); // fused period 2 + 2 + 1 = 5 ms
    assertEquals(10.0, convRelu.latencyGainMs(), 1e-9);
    assertFalse(fusion.get("producer+conv").wins()); // still 12 ms: conv's heavy send stays
    assertFalse(fusion.get("relu+maxpool").wins());
    assertTrue(PlanTable.render(report).contains("conv+relu"));
  }

  /**
   * The server is the only sane home (the edge needs 400 ms a stage) and conv takes 40 ms there:
   * ESSS runs at 25 fps. Four conv replicas bring conv to 10 ms, and the producer's 12 ms send
   * becomes the limit: 83.3 fps.
   */
  static final Profile HEAVY_CONV = TestProfiles.of(ms(0, 400, 400, 400), ms(20, 40, 2, 2), ms(12, 100, 100, 1),
      ms(0, 0, 0, 0));

  @Test
  void replicasOfAServerBottleneckWin() {
    PlanReport report = plan(HEAVY_CONV, PlannerOptions.defaults());
    assertEquals("ESSS", report.winner().placement().letters());
    assertEquals(25.0, report.winner().fps(), 1e-9);
    ReplicaAdvice advice = report.replicas();
    assertEquals("conv", advice.stage());
    assertEquals(4, advice.options().size());
    assertEquals(List.of(25.0, 50.0, 75.0, 1000.0 / 12), advice.options().stream()
        .map(o -> o.prediction().fps()).collect(Collectors.toList()));
    assertEquals(4, advice.bestReplicas());
    assertEquals("edge-server link (producer->conv)", advice.best().bottleneck());
    assertEquals(Map.of("conv", 4), report.recommendedReplicas());
  }

  @Test
  void replicasAreCappedByServerCoresAndByTheirCpu() {
    PlanReport report = plan(HEAVY_CONV, PlannerOptions.defaults().withCores(0, 2));
    ReplicaAdvice advice = report.replicas();
    assertEquals(2, advice.options().size()); // at most one replica per server core
    // one conv: its 40 ms; two: 20 ms each, but the server needs 40 + 2 + 2 ms of CPU per frame on 2 cores = 22 ms
    assertEquals(25.0, advice.options().get(0).prediction().fps(), 1e-9);
    assertEquals(1000.0 / 22, advice.options().get(1).prediction().fps(), 1e-9);
    assertEquals("server CPU", advice.options().get(1).prediction().bottleneck());
    assertEquals(Limit.Kind.NODE_CPU, advice.options().get(1).prediction().limit().kind());
  }

  @Test
  void noReplicasForAnEdgeBottleneck() {
    PlanReport report = plan(SPLIT, PlannerOptions.defaults().withObjective(Objective.LATENCY));
    assertTrue(report.replicas().options().isEmpty());
    assertTrue(report.replicas().note().contains("on the edge"), report.replicas().note());
    assertEquals(Map.of(), report.recommendedReplicas());
  }

  /**
   * Unlimited cores: EEEE's stages take 4 ms each on the edge, 250 fps. With the edge's cores given,
   * its three stages share them: 12 ms of CPU per frame on one core (or, measured under a half-core
   * quota, 12 ms of that half core), 83.3 fps, and the server placements (100 fps) win.
   */
  @Test
  void coreLimitsChangeTheAnswer() {
    Profile profile = TestProfiles.of(ms(0, 4, 4, 4), ms(0, 10, 3, 3), ms(5, 20, 20, 2), ms(0, 0, 0, 0));
    PlanReport unlimited = plan(profile, PlannerOptions.defaults());
    assertEquals("EEEE", unlimited.winner().placement().letters());
    assertEquals(250.0, unlimited.winner().fps(), 1e-9);

    for (double edgeCores : new double[] {1, 0.5}) {
      PlanReport capped = plan(profile, PlannerOptions.defaults().withCores(edgeCores, 0));
      assertEquals("SSSS", capped.winner().placement().letters());
      Prediction eeee = capped.ranked().stream().filter(p -> p.placement().letters().equals("EEEE")).findFirst()
          .orElseThrow();
      assertEquals(1000.0 / 12, eeee.fps(), 1e-9);
      assertEquals(12.0, eeee.unit("conv").nodeMs(), 1e-9);
      assertEquals(4.0, eeee.unit("conv").computeMs(), 1e-9); // compute itself is as measured
      assertEquals(12.0, eeee.latencyMs(), 1e-9);             // one frame at a time does not share
    }
  }

  /**
   * Each gRPC hop costs 4 ms of CPU (both ends) and the stages 1 ms each: on a 2-core server SSSS
   * needs 3 + 4 x 4 = 19 ms of CPU per frame, 9.5 ms of wall time, although no stage takes more
   * than 1 ms. Fusing conv+relu saves one hop: 3 + 3 x 4 = 15 ms, 7.5 ms.
   */
  @Test
  void hopCpuLoadsTheNodes() {
    io.edgepipe.planner.profile.ProfileBuilder b = new io.edgepipe.planner.profile.ProfileBuilder("test",
        TestProfiles.STAGES);
    List<String> hops = new io.edgepipe.planner.StageChain(TestProfiles.STAGES).hopNames();
    for (int i = 0; i < 4; i++) {
      b.addCompute(TestProfiles.STAGES.get(i), io.edgepipe.api.Tier.SERVER, TestProfiles.SIZE, i == 0 ? 0 : 1, 1);
      b.addCompute(TestProfiles.STAGES.get(i), io.edgepipe.api.Tier.EDGE, TestProfiles.SIZE, 50, 50);
      b.addHop(hops.get(i), TestProfiles.SIZE, 1000).addHopCpu(hops.get(i), TestProfiles.SIZE, 4);
      for (io.edgepipe.planner.profile.LinkClass link : io.edgepipe.planner.profile.LinkClass.values()) {
        b.addTransfer(hops.get(i), link, TestProfiles.SIZE, 0.5);
      }
    }
    Profile profile = b.build();
    PlanReport report = plan(profile, PlannerOptions.defaults().withCores(1, 2));
    Prediction ssss = report.winner();
    assertEquals("SSSS", ssss.placement().letters());
    assertEquals(1000.0 / 9.5, ssss.fps(), 1e-9);
    assertEquals(Limit.Kind.NODE_CPU, ssss.limit().kind());
    assertTrue(ssss.unit("conv").nodeBound());
    assertTrue(report.explanation().startsWith("SSSS wins on throughput with 105.3 fps: the server node's CPU is "
        + "its limit, 9.50 ms per frame"), report.explanation());
    FusionOption convRelu = report.fusion().stream().filter(f -> f.services().equals("conv+relu")).findFirst()
        .orElseThrow();
    assertEquals(1000.0 / 7.5, convRelu.fused().fps(), 1e-9);
    // without the hop CPU the same profile says 1 ms a frame (the in-node sends take 0.5 ms + compute 1 ms = 1.5)
    assertEquals(1000.0 / 1.5, plan(profile, PlannerOptions.defaults()).winner().fps(), 1e-9);
  }

  /**
   * Every service's CPU measured in a running chain: 1 ms a frame plus 0.05 cores of background
   * each, on a half-core edge and a 2-core server sharing one 2-core host. EEEE: (0.5 - 4 x 0.05)
   * cores / 4 ms = 75 fps; EESS: (0.5 - 0.1) / 2 ms = 200 fps on the edge, and the host's
   * (2 - 0.2) / 4 ms = 450 fps is no limit; SSSS: the host, 450 fps.
   */
  @Test
  void measuredServiceCpuAndBackgroundSetTheNodeLimits() {
    io.edgepipe.planner.profile.ProfileBuilder b = new io.edgepipe.planner.profile.ProfileBuilder("test",
        TestProfiles.STAGES);
    List<String> hops = new io.edgepipe.planner.StageChain(TestProfiles.STAGES).hopNames();
    for (int i = 0; i < 4; i++) {
      for (io.edgepipe.api.Tier tier : io.edgepipe.api.Tier.values()) {
        b.addCompute(TestProfiles.STAGES.get(i), tier, TestProfiles.SIZE, 0.2, 0.3)
            .addServiceCpu(TestProfiles.STAGES.get(i), tier, TestProfiles.SIZE, 1.0, 0.05);
      }
      for (io.edgepipe.planner.profile.LinkClass link : io.edgepipe.planner.profile.LinkClass.values()) {
        b.addTransfer(hops.get(i), link, TestProfiles.SIZE, 0.1);
      }
    }
    Profile profile = b.build();
    PlannerOptions testbed = PlannerOptions.defaults().withCores(0.5, 2).withHostCores(2);
    Planner planner = new Planner(testbed);
    assertEquals(75.0, planner.predict(profile, new Placement("EEEE")).fps(), 1e-9);
    assertEquals(200.0, planner.predict(profile, new Placement("EESS")).fps(), 1e-9);
    assertEquals(450.0, planner.predict(profile, new Placement("SSSS")).fps(), 1e-9);
    assertEquals(4.0 / 0.3, planner.predict(profile, new Placement("EEEE")).unit("relu").nodeMs(), 1e-9);
    // more background than the node has cores: a crawl on the least cores QuotaCpu leaves frames, 4 ms each
    Prediction starved = new Planner(PlannerOptions.defaults().withCores(0.15, 0)).predict(profile, new Placement("EEEE"));
    assertEquals(io.edgepipe.planner.profile.QuotaCpu.MIN_FREE_CORES * 1000 / 4, starved.fps(), 1e-9);
    // ESSS: the edge's (0.5 - 0.05) / 1 ms = 450 fps ties SSSS on the host; fewer stages on the server win
    assertEquals(450.0, planner.predict(profile, new Placement("ESSS")).fps(), 1e-9);
    assertEquals("ESSS", plan(profile, testbed).winner().placement().letters());
  }

  @Test
  void csvHasOneRowPerCandidate() {
    String csv = PlanCsv.render(plan(SPLIT, PlannerOptions.defaults()));
    String[] lines = csv.split("\n");
    assertEquals("placement,latency_ms,fps,bottleneck,ccr_producer,ccr_conv,ccr_relu,ccr_maxpool,winner", lines[0]);
    assertEquals("ESSS,30.0000,66.6667,edge-server link (producer->conv),,0.0000,0.0000,8.0000,true", lines[1]);
    assertEquals(6, lines.length);
  }

  @Test
  void tableMarksTheWinner() {
    String table = PlanTable.render(plan(SPLIT, PlannerOptions.defaults()));
    assertTrue(table.contains("*  ESSS"), table);
    assertTrue(table.contains("CCR maxpool"), table);
    assertTrue(table.contains("edge-server link (producer->conv)"), table);
    assertTrue(table.contains("replicas of producer:\n  none: the edge-server link under producer->conv is the limit; "
        + "replicas would share that one link"), table);
  }

  /**
   * The case: the server's CPU limits SSSS. The table's column, the sentence and the
   * replica advice all name the server's CPU (not "producer", the first service on that node).
   */
  @Test
  void aCpuLimitIsNamedTheSameInTableExplanationAndAdvice() {
    Profile profile = TestProfiles.of(ms(0, 50, 50, 50), ms(0, 10, 10, 10), ms(40, 40, 40, 40), ms(0, 0, 0, 0));
    PlanReport report = plan(profile, PlannerOptions.defaults().withCores(1, 1));
    Prediction ssss = report.winner();
    assertEquals("SSSS", ssss.placement().letters());
    assertEquals(Limit.Kind.NODE_CPU, ssss.limit().kind());
    assertEquals(100.0 / 3, ssss.fps(), 1e-9); // 30 ms of compute on one core
    String table = PlanTable.render(report);
    assertTrue(table.contains("*  SSSS") && table.lines().anyMatch(l -> l.contains("SSSS") && l.contains("server CPU")),
        table);
    assertTrue(report.explanation().contains("the server node's CPU is its limit"), report.explanation());
    assertTrue(report.replicas().note().startsWith("the server node's CPU is the limit; replicas there would share"),
        report.replicas().note());
    assertFalse(table.contains("producer ("), table);
  }
}
