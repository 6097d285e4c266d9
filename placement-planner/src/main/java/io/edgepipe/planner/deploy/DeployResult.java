package io.edgepipe.planner.deploy;

import java.util.List;

/**
 * What a deploy applied and where the pods landed.
 *
 * @param notRunning one line per stage whose pods are placed but cannot run (empty when rolled
 *     out, or when the deploy did not wait)
 */
public record DeployResult(List<AppliedResource> applied, List<StageLanding> landings, List<String> notRunning) {
  public DeployResult {
    applied = List.copyOf(applied);
    landings = List.copyOf(landings);
    notRunning = List.copyOf(notRunning);
  }

  /** True when nothing was created, changed or deleted. */
  public boolean unchanged() {
    return applied.stream().allMatch(r -> r.outcome() == ApplyOutcome.UNCHANGED || r.outcome() == ApplyOutcome.SKIPPED);
  }
}
