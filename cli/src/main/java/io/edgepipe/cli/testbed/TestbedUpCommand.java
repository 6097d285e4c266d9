package io.edgepipe.cli.testbed;

import io.edgepipe.testbed.Names;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedConfig;
import io.edgepipe.testbed.TestbedState;
import io.edgepipe.testbed.Units;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline testbed up}: build the namespaces, the shaped link and the edge's CPU cap. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Create the testbed: an edge and a server namespace joined by a shaped link.",
        "The namespaces <prefix>-edge and <prefix>-server are joined by a veth pair on a private subnet, the link is "
            + "shaped both ways and the edge's CPU is capped. State goes to /run/edgepipe-testbed/state.json; "
            + "`pipeline testbed down` removes it all."})
public final class TestbedUpCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--bandwidth", defaultValue = TestbedConfig.DEFAULT_BANDWIDTH,
      description = "Link rate, each direction, in tc units: 1gbit, 100mbit, 500kbit (default: ${DEFAULT-VALUE}).")
  String bandwidth;

  @Option(names = "--delay", defaultValue = TestbedConfig.DEFAULT_DELAY,
      description = "One-way delay added to each direction of every edge-server hop by a user-space "
          + "TCP forwarder during `testbed run` (default: ${DEFAULT-VALUE}).")
  String delay;

  @Option(names = "--edge-cpu", defaultValue = "0.5",
      description = "CPU cores the edge may use (cgroup cpu quota; 0.5 = half a core) (default: ${DEFAULT-VALUE}).")
  double edgeCpu;

  @Option(names = "--subnet", defaultValue = TestbedConfig.DEFAULT_SUBNET,
      description = "Private IPv4 subnet of the link; edge = first address, server = second (default: ${DEFAULT-VALUE}).")
  String subnet;

  @Option(names = "--prefix", defaultValue = Names.DEFAULT_PREFIX,
      description = "Name prefix of everything created: edgepipe or edgepipe-<x>, for several testbeds "
          + "on one host (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--fail-after", hidden = true, paramLabel = "STEP",
      description = "Testing: fail right after this step, to see the undo.")
  String failAfter;

  @Override
  public Integer call() {
    Integer refused = TestbedCommand.refuseUnlessRoot(spec);
    if (refused != null) {
      return refused;
    }
    TestbedConfig config = TestbedConfig.of(bandwidth, delay, edgeCpu, subnet).withPrefix(prefix);
    PrintWriter out = spec.commandLine().getOut();
    TestbedState state = Testbed.up(config, step -> {
      out.println("  " + step);
      out.flush();
      if (step.equals(failAfter)) {
        throw new IllegalStateException("failure injected after step " + step + " (--fail-after)");
      }
    });
    out.printf("testbed %s up: edge %s (%s), server %s (%s), link %s each way, one-way delay %s, edge cpu %.2f core(s)%n",
        state.prefix(), state.edgeAddress(), state.netns(io.edgepipe.testbed.Node.EDGE), state.serverAddress(),
        state.netns(io.edgepipe.testbed.Node.SERVER), Units.formatRate(state.bandwidthBps()),
        Units.formatDelay(state.delay()), state.edgeCpu());
    out.println("remove it with: pipeline testbed down");
    out.flush();
    return 0;
  }
}
