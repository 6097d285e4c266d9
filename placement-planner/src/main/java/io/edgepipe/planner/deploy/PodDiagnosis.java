package io.edgepipe.planner.deploy;

import io.edgepipe.api.Tier;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Why a pod is not running, in a few words, from what the API server knows: not scheduled (and
 * the scheduler's reason), bound to a node whose kubelet is not Ready (it will not start there),
 * or a container waiting (image pull, crash loop). Nodes are looked up once per diagnosis run.
 */
final class PodDiagnosis {
  private final KubernetesClient client;
  private final Map<String, Optional<Node>> nodes = new HashMap<>();

  PodDiagnosis(KubernetesClient client) {
    this.client = client;
  }

  /** What keeps the pod from running, or empty when it is running and ready. */
  Optional<String> notRunning(Pod pod) {
    String name = pod.getMetadata().getName();
    String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (nodeName == null) {
      String why = condition(pod, "PodScheduled").map(PodCondition::getMessage).filter(m -> !m.isBlank())
          .orElse("the scheduler has not bound it yet");
      return Optional.of("pod " + name + " is not scheduled: " + why);
    }
    String where = "pod " + name + " is " + phase + " on node " + nodeName + " (" + tierOf(nodeName) + ")";
    if (!kubeletReady(nodeName)) {
      return Optional.of(where + ", whose kubelet is not Ready, so it will not start there");
    }
    if ("Running".equals(phase) && condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false)) {
      return Optional.empty();
    }
    return Optional.of(where + waitingReason(pod).map(r -> ", container " + r).orElse(", not ready"));
  }

  /** True when the pod is bound to a node with no Ready kubelet: waiting for it is pointless. */
  boolean stranded(Pod pod) {
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return nodeName != null && !kubeletReady(nodeName);
  }

  private boolean kubeletReady(String nodeName) {
    return node(nodeName).map(n -> n.getStatus() == null || n.getStatus().getConditions() == null ? null
        : n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
            .map(NodeCondition::getStatus).orElse(null))
        .map("True"::equals).orElse(false);
  }

  String tierOf(String nodeName) {
    return node(nodeName).map(n -> n.getMetadata().getLabels() == null ? null
        : n.getMetadata().getLabels().get(Tier.NODE_LABEL)).orElse("-");
  }

  private Optional<Node> node(String name) {
    return nodes.computeIfAbsent(name, n -> Optional.ofNullable(client.nodes().withName(n).get()));
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static Optional<String> waitingReason(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
      if (status.getState() != null && status.getState().getWaiting() != null) {
        return Optional.of(status.getName() + " waiting: " + status.getState().getWaiting().getReason());
      }
    }
    return Optional.empty();
  }
}
