package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.OptionalDouble;

/**
 * Scrapes a pod's /metrics through the API server's pod proxy
 * ({@code /api/v1/namespaces/NS/pods/NAME:9090/proxy/metrics}; a co-location group's last container's
 * port): no port-forward socket to
 * manage, and it works wherever the kubeconfig reaches the API server.
 */
public final class ApiProxyFramesCounter implements FramesCounter {
  private final KubernetesClient client;

  public ApiProxyFramesCounter(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public OptionalDouble framesOut(Pod pod) {
    // a co-location group's frames leave through its last container
    String path = StagePods.metricsPath(pod, StagePods.lastMetricsPort(pod));
    try {
      return PrometheusText.sum(client.raw(client.getMasterUrl().toURI().resolve(path).toString()), METRIC);
    } catch (Exception e) {
      return OptionalDouble.empty(); // pod not running, proxy refused: the fps column shows "-"
    }
  }
}
