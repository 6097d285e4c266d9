package io.edgepipe.cli.deploy;

import io.edgepipe.planner.deploy.DeployListener;
import io.edgepipe.planner.deploy.DeployResult;
import io.edgepipe.planner.deploy.Deployer;
import io.edgepipe.planner.deploy.Landings;
import io.edgepipe.planner.deploy.RolloutWaiter;
import io.edgepipe.planner.manifest.ManifestWriter;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SpecFile;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline deploy --placement EESS}: apply a placement to the cluster and wait for it. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
    description = {"Apply a placement to the k3s cluster of the current kubeconfig and wait for the rollout.",
        "It is a server-side apply with field manager edgepipe, so repeating it changes nothing; it then shows "
            + "where each stage landed. Nodes must carry the label edgepipe.io/tier=edge or edgepipe.io/tier=server."})
public final class DeployCommand implements Callable<Integer> {
  @Mixin
  PlacementOption placement;

  @Mixin
  KubeContext kube;

  @Option(names = "--dry-run", description = "Print the YAML that would be applied; no cluster needed.")
  boolean dryRun;

  @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS", description = "Longest wait for the rollout (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(names = "--no-wait", description = "Apply and return without waiting for the rollout.")
  boolean noWait;

  @Mixin
  ManifestFlags flags;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Guarded.run(spec, () -> {
      PrintWriter out = spec.commandLine().getOut();
      SpecFile specFile = flags.specFile();
      PipelineManifests manifests = flags.withSecrets(flags.unplanned(specFile, placement.of(specFile)));
      if (dryRun) {
        out.print(ManifestWriter.toYaml(manifests));
        out.flush();
        return 0;
      }
      try (KubernetesClient client = kube.connect()) {
        out.println("deploying " + manifests.directoryName() + " to namespace " + manifests.namespaceName() + " at "
            + client.getMasterUrl());
        DeployResult result = Deployer.serverSideApply(client, DeployListener.printing(out::println))
            .deploy(manifests, noWait ? null : new RolloutWaiter(Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(2)));
        out.println(result.unchanged() ? "nothing changed" : "applied");
        out.print(Landings.render(result.landings()));
        if (!result.notRunning().isEmpty()) {
          // placed but unable to start (node without a Ready kubelet, pods refused): waiting longer would not help
          out.println("not running:");
          result.notRunning().forEach(line -> out.println("  " + line));
          out.flush();
          return 1;
        }
        out.flush();
      }
      return 0;
    });
  }
}
