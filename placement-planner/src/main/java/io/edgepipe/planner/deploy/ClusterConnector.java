package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a client from the kubeconfig (and optional context) and proves the API server answers,
 * turning each way this fails into one line that says what to do.
 */
public final class ClusterConnector {
  private final Map<String, String> env;
  private final Path home;

  public ClusterConnector(Map<String, String> env, Path home) {
    this.env = env;
    this.home = home;
  }

  public static ClusterConnector fromEnvironment() {
    return new ClusterConnector(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** A connected client; close it when done. */
  public KubernetesClient connect(String context) {
    requireKubeconfig();
    Config config;
    try {
      config = Config.autoConfigure(context);
    } catch (KubernetesClientException e) {
      throw new ClusterException("cannot read the kubeconfig: " + e.getMessage(), e);
    }
    if (context != null) {
      requireContext(config, context);
    }
    // fail fast: the default timeouts and retries hang for minutes on an unreachable server
    config = new ConfigBuilder(config).withConnectionTimeout(5_000).withRequestTimeout(15_000)
        .withRequestRetryBackoffLimit(0).build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    try {
      client.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      client.close();
      String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new ClusterException("cannot reach the Kubernetes API at " + config.getMasterUrl()
          + (context != null ? " (context " + context + ")" : "") + ": " + cause, e);
    }
    return client;
  }

  /** The kubeconfig files that exist; none (and not in a pod) is an error. */
  List<Path> requireKubeconfig() {
    List<Path> candidates = new ArrayList<>();
    String fromEnv = env.get("KUBECONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      for (String part : fromEnv.split(File.pathSeparator)) {
        if (!part.isBlank()) {
          candidates.add(Path.of(part));
        }
      }
    } else {
      candidates.add(home.resolve(".kube").resolve("config"));
    }
    List<Path> existing = candidates.stream().filter(Files::isRegularFile).collect(Collectors.toList());
    if (existing.isEmpty() && env.get("KUBERNETES_SERVICE_HOST") == null) {
      throw new ClusterException("no kubeconfig found (looked at "
          + candidates.stream().map(Path::toString).collect(Collectors.joining(", "))
          + "); point KUBECONFIG at one, e.g. on the k3s server: export KUBECONFIG=/etc/rancher/k3s/k3s.yaml");
    }
    return existing;
  }

  private static void requireContext(Config config, String context) {
    List<String> names = config.getContexts() == null ? List.of()
        : config.getContexts().stream().map(NamedContext::getName).collect(Collectors.toList());
    if (!names.contains(context)) {
      throw new ClusterException("context '" + context + "' is not in the kubeconfig (contexts: "
          + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }
  }
}
