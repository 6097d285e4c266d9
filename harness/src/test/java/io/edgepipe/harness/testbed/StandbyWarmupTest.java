package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Placement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up visits of a run with standbys: every stage instance on both nodes gets frames, and the run starts where asked. */
class StandbyWarmupTest {
  private static List<String> visits(String start) {
    List<ScheduledTestbedRun.Step> steps = ScheduledTestbedRun.standbyWarmup(new Placement(start), 20);
    assertTrue(steps.stream().allMatch(ScheduledTestbedRun.Step::warmup), "warm-up steps only");
    return steps.stream().map(ScheduledTestbedRun.Step::placement).toList();
  }

  @Test
  void everyStageRunsOnBothNodesAndTheLastVisitIsTheStart() {
    assertEquals(List.of("EEEE", "EEES", "EESS", "ESSS"), visits("ESSS"));
    assertEquals(List.of("EEEE", "EEES", "EESS", "ESSS", "EESS"), visits("EESS"));
    assertEquals(List.of("SSSS", "SSSE", "SSEE", "SEEE"), visits("SEEE"));
  }

  @Test
  void everyVisitWaitsForTheJitAndSetsTheWarmupQuotaOnlyWhenAsked() {
    List<ScheduledTestbedRun.Step> uncapped = ScheduledTestbedRun.standbyWarmup(new Placement("ESSS"), 40, 2);
    assertTrue(uncapped.stream().allMatch(s -> s.untilJitQuiet() && s.edgeCpu() == 2 && s.seconds() == 40));
    List<ScheduledTestbedRun.Step> asItIs = ScheduledTestbedRun.standbyWarmup(new Placement("ESSS"), 20);
    assertTrue(asItIs.stream().allMatch(s -> s.untilJitQuiet() && s.edgeCpu() == 0), "the quota left alone");
  }

  @Test
  void aSecondRoundUnderTheRunsQuota() {
    List<ScheduledTestbedRun.Step> steps = ScheduledTestbedRun.standbyWarmup(new Placement("ESSS"), 90, 2, 0.5, 30);
    assertEquals(List.of("EEEE", "EEES", "EESS", "ESSS", "EEEE", "EEES", "EESS", "ESSS"),
        steps.stream().map(ScheduledTestbedRun.Step::placement).toList());
    assertTrue(steps.subList(0, 4).stream().allMatch(s -> s.edgeCpu() == 2 && s.seconds() == 90));
    assertTrue(steps.subList(4, 8).stream().allMatch(s -> s.edgeCpu() == 0.5 && s.seconds() == 30 && s.untilJitQuiet()));
  }

  @Test
  void onlyAWarmupWaitsForTheJit() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ScheduledTestbedRun.Step("x", 0, 0, 0, 5, 1, null, false, true));
  }
}
