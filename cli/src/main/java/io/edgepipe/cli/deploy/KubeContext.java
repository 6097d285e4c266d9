package io.edgepipe.cli.deploy;

import io.edgepipe.planner.deploy.ClusterConnector;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine.Option;

/** {@code --context}: which cluster of the kubeconfig a command talks to (deploy, autoplace, status, undeploy). */
public final class KubeContext {
  @Option(names = "--context", description = "kubeconfig context (default: the current one).")
  String context;

  /** A connected client of that cluster (close it when done); no kubeconfig, no such context or no answer is a ClusterException. */
  KubernetesClient connect() {
    return ClusterConnector.fromEnvironment().connect(context);
  }
}
