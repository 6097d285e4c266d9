package io.edgepipe.planner.deploy;

import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.Ports;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * Where a stage's metrics are read: the pods that run it (its own Deployment's, or the
 * co-location group's that holds its container) and the port its container serves them on.
 */
public final class StagePods {
  private StagePods() {}

  /** The pods running {@code stage}: labelled with its name, or co-located, with edgepipe.io/runs-STAGE. */
  public static List<Pod> of(KubernetesClient client, String namespace, String stage) {
    List<Pod> own = client.pods().inNamespace(namespace).withLabel(Labels.NAME, stage).list().getItems();
    return !own.isEmpty() ? own
        : client.pods().inNamespace(namespace).withLabel(Labels.RUNS_PREFIX + stage, "true").list().getItems();
  }

  /** The metrics port of {@code container} in {@code pod} (the port named metrics...), or the usual one. */
  public static int metricsPort(Pod pod, String container) {
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getName().equals(container) && c.getPorts() != null) {
        for (ContainerPort port : c.getPorts()) {
          if (port.getName() != null && port.getName().startsWith("metrics")) {
            return port.getContainerPort();
          }
        }
      }
    }
    return Ports.METRICS;
  }

  /** The metrics port of the pod's last container: a group's last stage, whose frames leave the pod. */
  public static int lastMetricsPort(Pod pod) {
    List<Container> containers = pod.getSpec().getContainers();
    return containers.isEmpty() ? Ports.METRICS : metricsPort(pod, containers.get(containers.size() - 1).getName());
  }

  /** The API server's proxy path to a pod's /metrics on {@code port}. */
  public static String metricsPath(Pod pod, int port) {
    return "api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods/" + pod.getMetadata().getName() + ":" + port
        + "/proxy/metrics";
  }
}
