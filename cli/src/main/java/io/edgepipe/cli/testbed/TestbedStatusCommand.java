package io.edgepipe.cli.testbed;

import io.edgepipe.testbed.Testbed;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline testbed status}: what is up. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show the testbed: settings, addresses, qdisc counters, CPU quotas and processes.",
        "The qdiscs are shown with their counters (tc -s qdisc), the cgroups with their quotas and cpu.stat, and the "
            + "processes running on each node."})
public final class TestbedStatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  TestbedTarget testbed;

  @Override
  public Integer call() {
    Integer refused = testbed.refuseUnlessRoot();
    if (refused != null) {
      return refused;
    }
    spec.commandLine().getOut().print(Testbed.status(testbed.prefix()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
