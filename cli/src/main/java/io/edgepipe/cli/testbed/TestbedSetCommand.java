package io.edgepipe.cli.testbed;

import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import io.edgepipe.testbed.Units;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline testbed set --bandwidth 10mbit --edge-cpu 0.25}: change an up testbed while chains run on it. */
@Command(name = "set", mixinStandardHelpOptions = true,
    description = {"Change the link's rate or the edge's CPU quota of an up testbed, while processes run on it.",
        "Connections stay up (tc change, cgroup quota); an adaptive run (`pipeline run --adaptive`) notices and "
            + "re-places its stages."})
public final class TestbedSetCommand implements Callable<Integer> {
  @Spec
  CommandSpec command;

  @Option(names = "--bandwidth", paramLabel = "RATE", description = "New link rate each way, e.g. 10mbit, 1gbit.")
  String bandwidth;

  @Option(names = "--edge-cpu", paramLabel = "CORES", description = "New CPU quota of the edge node, in cores.")
  Double edgeCpu;

  @Mixin
  TestbedTarget testbed;

  @Override
  public Integer call() {
    Integer refused = testbed.refuseUnlessRoot();
    if (refused != null) {
      return refused;
    }
    if (bandwidth == null && edgeCpu == null) {
      throw new IllegalArgumentException("testbed set needs --bandwidth RATE or --edge-cpu CORES");
    }
    long rate = bandwidth == null ? 0 : Units.parseRate(bandwidth); // a bad value fails before anything changes
    if (edgeCpu != null && !(edgeCpu > 0)) {
      throw new IllegalArgumentException("--edge-cpu must be > 0 cores, got " + edgeCpu);
    }
    TestbedState state = testbed.require();
    if (bandwidth != null) {
      state = Testbed.setLinkRate(state, rate);
    }
    if (edgeCpu != null) {
      state = Testbed.setEdgeCpu(state, edgeCpu);
    }
    command.commandLine().getOut().printf("testbed %s: link %s, edge cpu %.2f cores%n", state.prefix(),
        Units.formatRate(state.bandwidthBps()), state.edgeCpu());
    command.commandLine().getOut().flush();
    return 0;
  }
}
