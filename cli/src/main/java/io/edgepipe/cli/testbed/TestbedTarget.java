package io.edgepipe.cli.testbed;

import io.edgepipe.testbed.Names;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --prefix} (which testbed) and the root check: what every command acting on a testbed it did not create starts with. */
public final class TestbedTarget {
  @Option(names = "--prefix", defaultValue = Names.DEFAULT_PREFIX, description = "Which testbed (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** Null as root; otherwise says the testbed needs root and returns exit code 2. */
  Integer refuseUnlessRoot() {
    return TestbedCommand.refuseUnlessRoot(command);
  }

  /** The up testbed of this prefix (a TestbedException saying how to start it otherwise). */
  TestbedState require() {
    return Testbed.require(prefix);
  }

  String prefix() {
    return prefix;
  }
}
