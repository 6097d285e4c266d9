package io.edgepipe.cli.deploy;

import io.edgepipe.api.PlacementException;
import io.edgepipe.api.SpecException;
import io.edgepipe.planner.PlannerException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a command body and turns a problem the user can fix (bad placement, spec or profile, no
 * cluster, no labelled node, rollout timeout) into one "error: ..." line and exit code 2.
 */
final class Guarded {
  static final int USER_ERROR = 2;

  private Guarded() {}

  static int run(CommandSpec spec, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (PlannerException | SpecException | PlacementException e) {
      spec.commandLine().getErr().println(spec.commandLine().getColorScheme().errorText("error: " + e.getMessage()));
      return USER_ERROR;
    }
  }
}
