package io.edgepipe.planner.deploy;

import java.util.List;
import java.util.function.Consumer;

/** Progress of a deploy, for a front end to print (or a test to act on). */
public interface DeployListener {
  /** One object was applied. */
  default void applied(AppliedResource resource) {}

  /** Every object is applied; the rollout wait starts next. */
  default void allApplied(List<AppliedResource> resources) {}

  /** A line of rollout progress, e.g. "ready: producer 1/1, conv 0/1, relu 1/1, maxpool 1/1". */
  default void progress(String line) {}

  /** Prints each applied object and each progress line, indented, through {@code lines}. */
  static DeployListener printing(Consumer<String> lines) {
    return new DeployListener() {
      @Override
      public void applied(AppliedResource resource) {
        lines.accept("  " + resource);
      }

      @Override
      public void progress(String line) {
        lines.accept("  " + line);
      }
    };
  }
}
