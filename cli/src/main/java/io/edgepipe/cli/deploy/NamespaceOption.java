package io.edgepipe.cli.deploy;

import picocli.CommandLine.Option;

/** {@code -n/--namespace}: the Kubernetes namespace of the pipeline (manifests, autoplace, status, undeploy). */
public final class NamespaceOption {
  @Option(names = {"-n", "--namespace"}, defaultValue = "edgepipe", description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  String name() {
    return namespace;
  }
}
