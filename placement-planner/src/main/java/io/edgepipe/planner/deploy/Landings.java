package io.edgepipe.planner.deploy;

import io.edgepipe.planner.manifest.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Pod to node of every edgepipe pod in a namespace, with the node's tier label. */
public final class Landings {
  private Landings() {}

  /** Landings ordered as {@code order} lists the workloads (chain order), others after by name. */
  public static List<StageLanding> of(KubernetesClient client, String namespace, List<String> order) {
    List<StageLanding> landings = new ArrayList<>();
    PodDiagnosis nodes = new PodDiagnosis(client);
    for (Pod pod : pods(client, namespace)) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      String stage = pod.getMetadata().getLabels().getOrDefault(Labels.NAME, "?");
      String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Unknown" : pod.getStatus().getPhase();
      landings.add(new StageLanding(stage, pod.getMetadata().getName(), node == null ? "-" : node,
          node == null ? "-" : nodes.tierOf(node),
          phase));
    }
    landings.sort(Comparator.comparingInt((StageLanding l) -> order.contains(l.stage()) ? order.indexOf(l.stage())
        : Integer.MAX_VALUE).thenComparing(StageLanding::stage).thenComparing(StageLanding::pod));
    return landings;
  }

  /** One line per pod: "  conv  conv-7d9f-x2  jetson (edge)  Running". */
  public static String render(List<StageLanding> landings) {
    if (landings.isEmpty()) {
      return "  no pods yet\n";
    }
    int stage = 5;
    int pod = 3;
    for (StageLanding l : landings) {
      stage = Math.max(stage, l.stage().length());
      pod = Math.max(pod, l.pod().length());
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format("  %-" + stage + "s  %-" + pod + "s  %s%n", "stage", "pod", "node (tier)  phase"));
    for (StageLanding l : landings) {
      out.append(String.format("  %-" + stage + "s  %-" + pod + "s  %s (%s)  %s%n", l.stage(), l.pod(), l.node(),
          l.tier(), l.phase()));
    }
    return out.toString();
  }

  static List<Pod> pods(KubernetesClient client, String namespace) {
    return client.pods().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list().getItems();
  }
}
