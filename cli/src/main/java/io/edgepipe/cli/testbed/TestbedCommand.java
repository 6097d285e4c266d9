package io.edgepipe.cli.testbed;

import io.edgepipe.testbed.Testbed;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline testbed}: the edge/server testbed on this host (needs root). */
@Command(name = "testbed", mixinStandardHelpOptions = true,
    description = {"Emulate an edge node and a server on this Linux host (needs root).",
        "Two network namespaces are joined by a veth link shaped with htb+tbf, with an optional one-way delay "
            + "(a user-space forwarder), and the edge's CPU is capped by a cgroup v1 quota. Stages run as processes "
            + "placed by the placement letters."},
    subcommands = {TestbedUpCommand.class, TestbedDownCommand.class, TestbedStatusCommand.class,
        TestbedRunCommand.class, TestbedSetCommand.class})
public final class TestbedCommand implements Runnable {
  /** Whether this process may build testbeds; tests replace it to see the non-root path. */
  static BooleanSupplier rootCheck = Testbed::isRoot;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Prints the one-line refusal and returns exit code 2 when not root, or null when the
   * subcommand may go on.
   */
  static Integer refuseUnlessRoot(CommandSpec command) {
    if (rootCheck.getAsBoolean()) {
      return null;
    }
    command.commandLine().getErr().println(Testbed.NEEDS_ROOT);
    command.commandLine().getErr().flush();
    return 2;
  }
}
