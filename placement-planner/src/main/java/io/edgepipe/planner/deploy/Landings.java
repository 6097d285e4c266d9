package io.edgepipe.planner.deploy;

import io.edgepipe.planner.Tier;
import io.edgepipe.planner.manifest.Labels;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Pod to node of every edgepipe pod in a namespace, with the node's tier label. */
public final class Landings {
  private Landings() {}

  public static List<StageLanding> of(KubernetesClient client, String namespace) {
    List<StageLanding> landings = new ArrayList<>();
    for (Pod pod : pods(client, namespace)) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      String stage = pod.getMetadata().getLabels().getOrDefault(Labels.NAME, "?");
      String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Unknown" : pod.getStatus().getPhase();
      landings.add(new StageLanding(stage, pod.getMetadata().getName(), node == null ? "-" : node, tierOf(client, node),
          phase));
    }
    landings.sort(Comparator.comparing(StageLanding::stage).thenComparing(StageLanding::pod));
    return landings;
  }

  static List<Pod> pods(KubernetesClient client, String namespace) {
    return client.pods().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list().getItems();
  }

  private static String tierOf(KubernetesClient client, String nodeName) {
    if (nodeName == null) {
      return "-";
    }
    Node node = client.nodes().withName(nodeName).get();
    if (node == null || node.getMetadata().getLabels() == null) {
      return "-";
    }
    return node.getMetadata().getLabels().getOrDefault(Tier.NODE_LABEL, "-");
  }
}
