package io.edgepipe.cli.deploy;

import io.edgepipe.planner.deploy.ApiProxyFramesCounter;
import io.edgepipe.planner.deploy.FpsMeter;
import io.edgepipe.planner.deploy.StatusReporter;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline status}: stages, replicas ready/desired, nodes and live fps of a deployment. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show each deployed stage: tier, replicas, nodes and live frames per second.",
        "Frames per second come from edgepipe_frames_out_total scraped twice through the API server; '-' when it "
            + "cannot be read."})
public final class StatusCommand implements Callable<Integer> {
  @Mixin
  NamespaceOption namespace;

  @Mixin
  KubeContext kube;

  @Option(names = "--interval", defaultValue = "2", paramLabel = "SECONDS", description = "Time between the two metric scrapes (default: ${DEFAULT-VALUE}).")
  double intervalSeconds;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Guarded.run(spec, () -> {
      try (KubernetesClient client = kube.connect()) {
        FpsMeter fps = new FpsMeter(new ApiProxyFramesCounter(client), Duration.ofMillis((long) (intervalSeconds * 1000)));
        spec.commandLine().getOut().print(StatusReporter.render(namespace.name(),
            new StatusReporter(client, fps).status(namespace.name())));
        spec.commandLine().getOut().flush();
      }
      return 0;
    });
  }
}
