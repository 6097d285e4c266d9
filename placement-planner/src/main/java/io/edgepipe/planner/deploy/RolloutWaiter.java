package io.edgepipe.planner.deploy;

import io.edgepipe.planner.manifest.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Polls Deployments until each has observed its newest generation and has all its replicas
 * updated and ready, reporting progress whenever it changes. Bounded by a timeout because a
 * pod can wait forever (no image on the node, no resources, a failing probe), and it stops
 * early when every stage still waiting cannot get there by itself: its pods are bound to nodes
 * with no Ready kubelet, or its ReplicaSet cannot create pods (Pod Security, quota).
 */
public final class RolloutWaiter {
  private final Duration timeout;
  private final Duration pollInterval;

  public RolloutWaiter(Duration timeout, Duration pollInterval) {
    this.timeout = timeout;
    this.pollInterval = pollInterval;
  }

  /**
   * @return empty when every Deployment rolled out; else one line per stage that cannot, saying
   *     where its pods are and why they do not run ("conv: pod conv-5f-x is Pending on node ...")
   * @throws ClusterException when the timeout passes first
   */
  public List<String> await(KubernetesClient client, String namespace, List<String> deployments,
      DeployListener listener) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = null;
    while (true) {
      List<String> parts = new ArrayList<>();
      List<String> waiting = new ArrayList<>();
      List<Deployment> notRolledOut = new ArrayList<>();
      for (String name : deployments) {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        int desired = d == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = d == null ? 0 : readyReplicas(d);
        parts.add(name + " " + ready + "/" + desired);
        if (d == null || !rolledOut(d)) {
          waiting.add(name + " " + ready + "/" + desired + " ready");
          notRolledOut.add(d);
        }
      }
      String line = "ready: " + String.join(", ", parts);
      if (!line.equals(last)) {
        listener.progress(line);
        last = line;
      }
      if (waiting.isEmpty()) {
        return List.of();
      }
      List<String> stuck = stuck(client, namespace, notRolledOut);
      if (stuck.size() == notRolledOut.size()) {
        return stuck;
      }
      if (System.nanoTime() >= deadline) {
        throw new ClusterException("rollout did not finish within " + seconds(timeout) + ": "
            + String.join(", ", waiting) + " (see kubectl -n " + namespace + " get pods -o wide; "
            + "kubectl -n " + namespace + " describe pods)");
      }
      sleep();
    }
  }

  /** One line per Deployment that cannot roll out by itself; fewer lines than Deployments means "keep waiting". */
  private static List<String> stuck(KubernetesClient client, String namespace, List<Deployment> deployments) {
    Map<String, List<Pod>> pods = new HashMap<>();
    for (Pod pod : Landings.pods(client, namespace)) {
      pods.computeIfAbsent(pod.getMetadata().getLabels().get(Labels.NAME), k -> new ArrayList<>()).add(pod);
    }
    PodDiagnosis diagnosis = new PodDiagnosis(client);
    List<String> lines = new ArrayList<>();
    for (Deployment d : deployments) {
      if (d == null) {
        return lines;
      }
      String name = d.getMetadata().getName();
      Optional<String> failure = replicaFailure(d);
      List<Pod> own = pods.getOrDefault(name, List.of());
      if (failure.isPresent()) {
        lines.add(name + ": no pods can be created: " + failure.get());
      } else if (!own.isEmpty() && own.stream().allMatch(diagnosis::stranded)) {
        lines.add(name + ": " + own.stream().map(p -> diagnosis.notRunning(p).orElse(p.getMetadata().getName()))
            .sorted().collect(Collectors.joining("; ")));
      }
    }
    return lines;
  }

  /** The Deployment's ReplicaFailure condition, set when its ReplicaSet's pod creation is refused. */
  private static Optional<String> replicaFailure(Deployment d) {
    if (d.getStatus() == null || d.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return d.getStatus().getConditions().stream()
        .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> c.getMessage()).findFirst();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  static boolean rolledOut(Deployment d) {
    DeploymentStatus status = d.getStatus();
    if (status == null || status.getObservedGeneration() == null) {
      return false;
    }
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    return status.getObservedGeneration() >= generation
        && nonNull(status.getUpdatedReplicas()) >= desired
        && nonNull(status.getReadyReplicas()) >= desired
        // old pods of a previous rollout still running count in replicas
        && nonNull(status.getReplicas()) <= desired;
  }

  private static int readyReplicas(Deployment d) {
    return d.getStatus() == null ? 0 : nonNull(d.getStatus().getReadyReplicas());
  }

  private static int nonNull(Integer value) {
    return value == null ? 0 : value;
  }

  private void sleep() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while waiting for the rollout");
    }
  }
}
