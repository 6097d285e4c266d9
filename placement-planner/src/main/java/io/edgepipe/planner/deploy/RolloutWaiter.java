package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Polls Deployments until each has observed its newest generation and has all its replicas
 * updated and ready, reporting progress whenever it changes. Bounded by a timeout because a
 * pod can wait forever (no image on the node, no resources, a failing probe).
 */
public final class RolloutWaiter {
  private final Duration timeout;
  private final Duration pollInterval;

  public RolloutWaiter(Duration timeout, Duration pollInterval) {
    this.timeout = timeout;
    this.pollInterval = pollInterval;
  }

  public void await(KubernetesClient client, String namespace, List<String> deployments, DeployListener listener) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = null;
    while (true) {
      List<String> parts = new ArrayList<>();
      List<String> waiting = new ArrayList<>();
      for (String name : deployments) {
        Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
        int desired = d == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = d == null ? 0 : readyReplicas(d);
        parts.add(name + " " + ready + "/" + desired);
        if (d == null || !rolledOut(d)) {
          waiting.add(name + " " + ready + "/" + desired + " ready");
        }
      }
      String line = "ready: " + String.join(", ", parts);
      if (!line.equals(last)) {
        listener.progress(line);
        last = line;
      }
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw new ClusterException("rollout did not finish within " + seconds(timeout) + ": "
            + String.join(", ", waiting) + " (see kubectl -n " + namespace + " get pods -o wide; "
            + "kubectl -n " + namespace + " describe pods)");
      }
      sleep();
    }
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
