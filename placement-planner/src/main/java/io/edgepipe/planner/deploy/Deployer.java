package io.edgepipe.planner.deploy;

import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Applies a placement's manifests to a cluster and waits for the rollout:
 * <ol>
 *   <li>refuses a placement whose tiers have no labelled nodes;</li>
 *   <li>applies every object (server-side apply on real clusters, so a repeat changes nothing);</li>
 *   <li>deletes edgepipe Deployments, Services, NetworkPolicies and Secrets the manifests no
 *       longer contain (a stage of another pipeline, a vgpu-backend not asked for any more);</li>
 *   <li>waits for the rollout, reporting progress, and reports where each pod landed (and, when
 *       pods are bound but cannot start, why, instead of waiting out the timeout).</li>
 * </ol>
 */
public final class Deployer {
  private final KubernetesClient client;
  private final ApplyStrategy strategy;
  private final DeployListener listener;

  public Deployer(KubernetesClient client, ApplyStrategy strategy, DeployListener listener) {
    this.client = client;
    this.strategy = strategy;
    this.listener = listener;
  }

  /** Deployer for a real cluster: server-side apply. */
  public static Deployer serverSideApply(KubernetesClient client, DeployListener listener) {
    return new Deployer(client, new ServerSideApply(), listener);
  }

  /**
   * Everything: check, apply, prune, wait (unless {@code waiter} is null), report. The wait ends
   * early, with {@link DeployResult#notRunning()} saying why, when pods are placed but cannot run.
   *
   * @throws ClusterException when a tier has no node or the rollout times out
   */
  public DeployResult deploy(PipelineManifests manifests, RolloutWaiter waiter) {
    NodeTierCheck.check(client, manifests.placement(), manifests.chain());
    List<AppliedResource> applied = apply(manifests);
    listener.allApplied(applied);
    List<String> names = new ArrayList<>();
    manifests.workloads().forEach(w -> names.add(w.name()));
    List<String> notRunning = waiter == null ? List.of()
        : waiter.await(client, manifests.namespaceName(), names, listener);
    return new DeployResult(applied, Landings.of(client, manifests.namespaceName(), names), notRunning);
  }

  /** Applies every object in order, then prunes what is no longer wanted. */
  public List<AppliedResource> apply(PipelineManifests manifests) {
    List<AppliedResource> applied = new ArrayList<>();
    applied.add(applyNamespace(manifests.namespace()));
    for (HasMetadata resource : manifests.all()) {
      if (resource instanceof Namespace) {
        continue;
      }
      if (resource instanceof Service service) {
        recreateIfHeadlessnessChanged(service);
      }
      applied.add(record(resource, strategy.apply(client, resource)));
    }
    applied.addAll(prune(manifests));
    return applied;
  }

  /**
   * The namespace is applied only when edgepipe created it (now or on an earlier deploy), so a
   * namespace someone else owns is never relabelled, and undeploy knows which one it may delete.
   */
  private AppliedResource applyNamespace(Namespace desired) {
    String name = desired.getMetadata().getName();
    Namespace live = client.namespaces().withName(name).get();
    if (live != null && live.getStatus() != null && "Terminating".equals(live.getStatus().getPhase())) {
      throw new ClusterException("namespace " + name + " is still terminating after an undeploy; wait until "
          + "kubectl get namespace " + name + " shows it gone, then deploy again");
    }
    if (live != null && !createdByEdgepipe(live)) {
      return record(desired, ApplyOutcome.SKIPPED);
    }
    Namespace ours = Serialization.clone(desired);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.CREATED_BY, Labels.PART_OF_VALUE);
    ours.getMetadata().setAnnotations(annotations);
    return record(ours, strategy.apply(client, ours));
  }

  static boolean createdByEdgepipe(Namespace namespace) {
    Map<String, String> annotations = namespace.getMetadata().getAnnotations();
    return annotations != null && Labels.PART_OF_VALUE.equals(annotations.get(Labels.CREATED_BY));
  }

  /**
   * A Service's clusterIP cannot change in place, and it flips between an address and None when
   * a stage's replicas go from 1 to more (headless for client-side round-robin) or back.
   */
  private void recreateIfHeadlessnessChanged(Service desired) {
    Service live = client.resource(desired).get();
    if (live != null && headless(live) != headless(desired)) {
      client.resource(live).delete();
      client.resource(live).waitUntilCondition(s -> s == null, 30, TimeUnit.SECONDS);
    }
  }

  private static boolean headless(Service service) {
    return service.getSpec() != null && "None".equals(service.getSpec().getClusterIP());
  }

  private List<AppliedResource> prune(PipelineManifests manifests) {
    Set<String> wanted = new HashSet<>();
    manifests.workloads().forEach(w -> wanted.add(w.name()));
    Set<String> wantedServices = new HashSet<>(); // a co-location group has one per stage
    manifests.workloads().forEach(w -> w.services().forEach(s -> wantedServices.add(s.getMetadata().getName())));
    String namespace = manifests.namespaceName();
    List<AppliedResource> pruned = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inNamespace(namespace)
        .withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list().getItems()) {
      if (!wanted.contains(d.getMetadata().getName())) {
        client.resource(d).delete();
        pruned.add(record(d, ApplyOutcome.DELETED));
      }
    }
    for (Service s : client.services().inNamespace(namespace)
        .withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list().getItems()) {
      if (!wantedServices.contains(s.getMetadata().getName())) {
        client.resource(s).delete();
        pruned.add(record(s, ApplyOutcome.DELETED));
      }
    }
    // policies of workloads no longer deployed (e.g. the vGPU backend's ingress) go too
    Set<String> wantedPolicies = new HashSet<>();
    manifests.networkPolicies().forEach(p -> wantedPolicies.add(p.getMetadata().getName()));
    for (var policy : client.network().networkPolicies().inNamespace(namespace)
        .withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list().getItems()) {
      if (!wantedPolicies.contains(policy.getMetadata().getName())) {
        client.resource(policy).delete();
        pruned.add(record(policy, ApplyOutcome.DELETED));
      }
    }
    // the model's ConfigMap once the spec has no model (or it moved to a claim)
    Set<String> wantedMaps = new HashSet<>();
    for (var map : new io.fabric8.kubernetes.api.model.ConfigMap[] {manifests.configMap(), manifests.modelConfigMap()}) {
      if (map != null) {
        wantedMaps.add(map.getMetadata().getName());
      }
    }
    for (var map : client.configMaps().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list()
        .getItems()) {
      if (!wantedMaps.contains(map.getMetadata().getName())) {
        client.resource(map).delete();
        pruned.add(record(map, ApplyOutcome.DELETED));
      }
    }
    // Secrets no workload mounts any more (TLS turned off, the vGPU backend gone)
    Set<String> mounted = new HashSet<>();
    manifests.secretsNeeded().forEach(n -> mounted.add(n.name()));
    for (var secret : client.secrets().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list()
        .getItems()) {
      if (!mounted.contains(secret.getMetadata().getName())) {
        client.resource(secret).delete();
        pruned.add(record(secret, ApplyOutcome.DELETED));
      }
    }
    pruned.forEach(listener::applied);
    return pruned;
  }

  private AppliedResource record(HasMetadata resource, ApplyOutcome outcome) {
    AppliedResource applied = new AppliedResource(resource.getKind(), resource.getMetadata().getName(), outcome);
    if (outcome != ApplyOutcome.DELETED) {
      listener.applied(applied);
    }
    return applied;
  }
}
