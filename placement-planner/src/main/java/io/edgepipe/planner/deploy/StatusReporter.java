package io.edgepipe.planner.deploy;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.ManifestGenerator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The state of a deployed pipeline: each workload's replicas, nodes and live fps, and per stage
 * one line on what could not be read and why (pods not running, metrics not answering).
 */
public final class StatusReporter {
  private final KubernetesClient client;
  private final FpsMeter fpsMeter;

  public StatusReporter(KubernetesClient client, FpsMeter fpsMeter) {
    this.client = client;
    this.fpsMeter = fpsMeter;
  }

  /** Workloads in chain order (as the deployed spec lists them), anything else after by name. */
  public List<StageStatus> status(String namespace) {
    List<Deployment> deployments = client.apps().deployments().inNamespace(namespace)
        .withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list().getItems();
    ConfigMap spec = client.configMaps().inNamespace(namespace).withName(ManifestGenerator.SPEC_CONFIG_MAP).get();
    List<String> order = chainOrder(spec);
    String placement = spec == null || spec.getMetadata().getAnnotations() == null ? "-"
        : spec.getMetadata().getAnnotations().getOrDefault(Labels.PLACEMENT, "-");
    deployments.sort(Comparator.comparingInt((Deployment d) -> {
      int index = order.indexOf(d.getMetadata().getName());
      return index < 0 ? Integer.MAX_VALUE : index;
    }).thenComparing(d -> d.getMetadata().getName()));

    Map<String, List<Pod>> podsByName = new LinkedHashMap<>();
    for (Deployment d : deployments) {
      podsByName.put(d.getMetadata().getName(), new ArrayList<>());
    }
    for (Pod pod : Landings.pods(client, namespace)) {
      List<Pod> pods = podsByName.get(pod.getMetadata().getLabels().get(Labels.NAME));
      if (pods != null) {
        pods.add(pod);
      }
    }
    // only running pods are scraped; for the others the reason is what status reports
    PodDiagnosis diagnosis = new PodDiagnosis(client);
    Map<String, List<Pod>> runningByName = new LinkedHashMap<>();
    Map<String, List<String>> notRunning = new LinkedHashMap<>();
    podsByName.forEach((name, pods) -> {
      runningByName.put(name, new ArrayList<>());
      notRunning.put(name, new ArrayList<>());
      for (Pod pod : pods) {
        diagnosis.notRunning(pod).ifPresentOrElse(notRunning.get(name)::add, () -> runningByName.get(name).add(pod));
      }
    });
    Map<String, OptionalDouble> fps = fpsMeter.measure(runningByName);

    List<StageStatus> statuses = new ArrayList<>();
    for (Deployment d : deployments) {
      String name = d.getMetadata().getName();
      TreeSet<String> nodes = new TreeSet<>();
      for (Pod pod : podsByName.get(name)) {
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
          nodes.add(pod.getSpec().getNodeName());
        }
      }
      Map<String, String> selector = d.getSpec().getTemplate().getSpec().getNodeSelector();
      String tier = selector == null ? "-" : selector.getOrDefault(Tier.NODE_LABEL, "-");
      int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
      OptionalDouble stageFps = fps.getOrDefault(name, OptionalDouble.empty());
      statuses.add(new StageStatus(name, tier, placement, ready,
          desired, new ArrayList<>(nodes), stageFps,
          unreadable(podsByName.get(name), notRunning.get(name), runningByName.get(name), stageFps)));
    }
    return statuses;
  }

  /** What keeps a stage's fps from being read; empty when every pod was read. */
  private static String unreadable(List<Pod> pods, List<String> notRunning, List<Pod> running, OptionalDouble fps) {
    if (pods.isEmpty()) {
      return "no pods";
    }
    if (!notRunning.isEmpty()) {
      return String.join("; ", notRunning);
    }
    if (fps.isEmpty()) {
      return "/metrics of " + running.stream().map(p -> p.getMetadata().getName()).collect(Collectors.joining(", "))
          + " did not answer through the API server's pod proxy";
    }
    return "";
  }

  /** The chain of the deployed spec (from its config map), so stages list in data-path order. */
  private static List<String> chainOrder(ConfigMap spec) {
    if (spec == null || spec.getData() == null || !spec.getData().containsKey(ManifestGenerator.SPEC_KEY)) {
      return List.of(StageChain.PRODUCER);
    }
    try {
      return StageChain.of(PipelineSpec.parse(spec.getData().get(ManifestGenerator.SPEC_KEY))).stages();
    } catch (RuntimeException e) {
      return List.of(StageChain.PRODUCER); // a spec we cannot read only costs us the ordering
    }
  }

  /** The statuses as a text table. */
  public static String render(String namespace, List<StageStatus> statuses) {
    if (statuses.isEmpty()) {
      return "no edgepipe workloads in namespace " + namespace + "\n";
    }
    StringBuilder out = new StringBuilder("namespace " + namespace + ", placement "
        + statuses.stream().map(StageStatus::placement).distinct().reduce((a, b) -> a + "," + b).orElse("-") + "\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"stage", "tier", "ready", "nodes", "fps"});
    for (StageStatus s : statuses) {
      rows.add(new String[] {s.name(), s.tier(), s.ready() + "/" + s.desired(),
          s.nodes().isEmpty() ? "-" : String.join(",", s.nodes()),
          s.fps().isPresent() ? String.format(Locale.ROOT, "%.1f", s.fps().getAsDouble()) : "-"});
    }
    int[] widths = new int[5];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(" ");
      for (int c = 0; c < row.length; c++) {
        line.append(' ').append(String.format("%-" + widths[c] + "s", row[c])).append(' ');
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    for (StageStatus s : statuses) {
      if (!s.unreadable().isEmpty()) {
        out.append("  ").append(s.name()).append(": fps not read: ").append(s.unreadable()).append('\n');
      }
    }
    return out.toString();
  }
}
