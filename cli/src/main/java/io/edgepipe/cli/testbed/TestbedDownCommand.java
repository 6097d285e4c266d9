package io.edgepipe.cli.testbed;

import io.edgepipe.testbed.Testbed;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline testbed down}: remove everything a testbed made, finished or not. */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = {"Remove the testbed: its processes, namespaces, links, cgroups and state file.",
        "It works from the names, so it also cleans up after a crashed or killed `testbed up`."})
public final class TestbedDownCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  TestbedTarget testbed;

  @Option(names = "--all", description = "Remove every edgepipe-* testbed object of any prefix (other users' too).")
  boolean all;

  @Override
  public Integer call() {
    Integer refused = testbed.refuseUnlessRoot();
    if (refused != null) {
      return refused;
    }
    List<String> removed = all ? Testbed.downAll() : Testbed.down(testbed.prefix());
    PrintWriter out = spec.commandLine().getOut();
    if (removed.isEmpty()) {
      out.println("testbed " + (all ? "edgepipe-*" : testbed.prefix()) + ": nothing to remove");
    } else {
      removed.forEach(line -> out.println("  " + line));
      out.println("testbed " + (all ? "edgepipe-*" : testbed.prefix()) + " down");
    }
    out.flush();
    return 0;
  }
}
