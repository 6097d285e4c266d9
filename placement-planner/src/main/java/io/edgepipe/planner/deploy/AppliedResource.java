package io.edgepipe.planner.deploy;

/** One object the deployer applied and what happened to it. */
public record AppliedResource(String kind, String name, ApplyOutcome outcome) {
  @Override
  public String toString() {
    return kind + "/" + name + " " + outcome;
  }
}
