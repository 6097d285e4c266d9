package io.edgepipe.planner.predict;

import static io.edgepipe.planner.TestProfiles.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.planner.Placement;
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
    assertEquals("producer", esss.bottleneck());
    assertEquals(List.of("ESSS", "EEEE", "SSSS", "EEES", "EESS"), order(report));
    // CCR: producer has no compute (undefined), conv's output stays on the server, maxpool returns 8 ms / 1 ms
    assertTrue(Double.isNaN(esss.ccr("producer")));
    assertEquals(0.0, esss.ccr("conv"), 1e-12);
    assertEquals(8.0, esss.ccr("maxpool"), 1e-12);
    assertTrue(report.explanation().startsWith("ESSS wins on throughput with 66.7 fps: its slowest service, producer "
        + "on the edge, needs 15.00 ms per frame (0.00 ms compute + 15.00 ms send)"), report.explanation());
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
    assertEquals("relu", eees.bottleneck());
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
    assertEquals("producer", advice.best().bottleneck());
    assertEquals(Map.of("conv", 4), report.recommendedReplicas());
  }

  @Test
  void replicasAreCappedByServerCoresAndShareThem() {
    PlanReport report = plan(HEAVY_CONV, PlannerOptions.defaults().withCores(0, 2));
    ReplicaAdvice advice = report.replicas();
    assertEquals(2, advice.options().size()); // at most one replica per server core
    // 3 services on 2 cores: factor 1.5, conv 60 ms; with 2 conv replicas 4 instances: factor 2, 80 / 2 = 40 ms
    assertEquals(1000.0 / 60, advice.options().get(0).prediction().fps(), 1e-9);
    assertEquals(25.0, advice.options().get(1).prediction().fps(), 1e-9);
  }

  @Test
  void noReplicasForAnEdgeBottleneck() {
    PlanReport report = plan(SPLIT, PlannerOptions.defaults().withObjective(Objective.LATENCY));
    assertTrue(report.replicas().options().isEmpty());
    assertTrue(report.replicas().note().contains("on the edge"), report.replicas().note());
    assertEquals(Map.of(), report.recommendedReplicas());
  }

  /**
   * Unlimited cores: SSSS and ESSS both reach 100 fps, SSSS has the lower latency (16 ms).
   * One server core: every server stage time-slices; EEEE (edge untouched) wins.
   */
  @Test
  void coreLimitsChangeTheAnswer() {
    Profile profile = TestProfiles.of(ms(0, 30, 6, 6), ms(0, 10, 3, 3), ms(5, 20, 20, 2), ms(0, 0, 0, 0));
    PlanReport unlimited = plan(profile, PlannerOptions.defaults());
    assertEquals("SSSS", unlimited.winner().placement().letters());
    assertEquals(16.0, unlimited.winner().latencyMs(), 1e-9);

    PlanReport oneCore = plan(profile, PlannerOptions.defaults().withCores(0, 1));
    assertEquals("EEEE", oneCore.winner().placement().letters());
    Prediction esss = oneCore.ranked().stream().filter(p -> p.placement().letters().equals("ESSS")).findFirst()
        .orElseThrow();
    assertEquals(30.0, esss.unit("conv").computeMs(), 1e-9); // 10 ms x (3 stages / 1 core)
    assertEquals(5 + 30 + 9 + 9 + 2, esss.latencyMs(), 1e-9);
  }

  @Test
  void csvHasOneRowPerCandidate() {
    String csv = PlanCsv.render(plan(SPLIT, PlannerOptions.defaults()));
    String[] lines = csv.split("\n");
    assertEquals("placement,latency_ms,fps,bottleneck,ccr_producer,ccr_conv,ccr_relu,ccr_maxpool,winner", lines[0]);
    assertEquals("ESSS,30.0000,66.6667,producer,,0.0000,0.0000,8.0000,true", lines[1]);
    assertEquals(6, lines.length);
  }

  @Test
  void tableMarksTheWinner() {
    String table = PlanTable.render(plan(SPLIT, PlannerOptions.defaults()));
    assertTrue(table.contains("*  ESSS"), table);
    assertTrue(table.contains("CCR maxpool"), table);
    assertTrue(table.contains("replicas of the bottleneck producer"), table);
  }
}
