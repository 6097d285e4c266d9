package io.edgepipe.planner.deploy;

import java.util.List;

/** What a deploy applied and where the pods landed. */
public record DeployResult(List<AppliedResource> applied, List<StageLanding> landings) {
  public DeployResult {
    applied = List.copyOf(applied);
    landings = List.copyOf(landings);
  }

  /** True when nothing was created, changed or deleted. */
  public boolean unchanged() {
    return applied.stream().allMatch(r -> r.outcome() == ApplyOutcome.UNCHANGED || r.outcome() == ApplyOutcome.SKIPPED);
  }
}
