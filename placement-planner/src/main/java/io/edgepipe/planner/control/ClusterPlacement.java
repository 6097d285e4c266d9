package io.edgepipe.planner.control;

import io.edgepipe.planner.PlannerException;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.deploy.RetryOnConflict;
import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.ManifestGenerator;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.Workload;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deployed pipeline's placement in a cluster, read from its Deployments' node selectors, and
 * moved by patching them through the fabric8 client. A stage whose tier changes gets the pod
 * template of the new placement's manifests (node selector, and what follows from the tier: the
 * image variant, the device argument), which the Deployment controller rolls out: the new pod
 * starts on a node of the new tier before the old one is stopped (the default rolling update),
 * the Service's DNS name repoints the upstream, and the old pod drains on SIGTERM while the
 * upstream's custody window re-sends anything it had not answered. Stages that stay keep their
 * pod template untouched (no restart); the placement annotation on the spec's config map is updated.
 *
 * <p>Co-located (one Pod per tier, {@code --colocate}): a move changes the pod templates of the
 * two groups the stage leaves and joins (every container of both restarts: a Pod's containers
 * are fixed), creates a group a tier did not have and deletes one left empty. Services and
 * NetworkPolicies select the Pod running each stage by label and stay as they are.
 */
public final class ClusterPlacement {
  private final KubernetesClient client;
  private final String namespace;

  public ClusterPlacement(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The placement the Deployments running {@code stages} (chain order) select now. */
  public Placement current(List<String> stages) {
    Map<String, Tier> where = stageTiers();
    StringBuilder letters = new StringBuilder();
    for (String stage : stages) {
      Tier tier = where.get(stage);
      if (tier == null) {
        throw new PlannerException("no Deployment runs stage '" + stage + "' in namespace " + namespace
            + "; deploy the pipeline first (pipeline deploy)");
      }
      letters.append(tier.letter());
    }
    return new Placement(letters.toString());
  }

  /** Whether the pipeline in the namespace is deployed as co-location groups (one Pod per tier). */
  public boolean colocated() {
    return edgepipeDeployments().stream().anyMatch(ClusterPlacement::isGroup);
  }

  /**
   * Moves the deployed chain to {@code target.placement()}: patches the Deployments of the stages
   * whose tier changes (co-located: of the groups they leave and join); returns the stages that
   * move (empty when nothing does).
   */
  public List<String> move(PipelineManifests target) {
    if (target.colocated() != colocated()) {
      throw new PlannerException("the pipeline in namespace " + namespace + " is deployed "
          + (colocated() ? "co-located (one Pod per tier)" : "with one Pod per stage")
          + "; a move keeps that layout (change it with pipeline deploy" + (colocated() ? ")" : " --colocate)"));
    }
    List<String> stages = target.stageNames();
    Placement from = current(stages);
    Placement to = target.placement();
    List<String> moved = new ArrayList<>();
    for (int i = 0; i < stages.size(); i++) {
      if (from.tier(i) != to.tier(i)) {
        moved.add(stages.get(i));
      }
    }
    if (moved.isEmpty()) {
      return moved;
    }
    if (target.colocated()) {
      moveGroups(target);
    } else {
      for (String stage : moved) {
        replaceTemplate(stage, target.workloadOf(stage).deployment().getSpec().getTemplate());
      }
    }
    // recorded where deploy records it: on the spec config map, not on every workload
    Resource<ConfigMap> spec = client.configMaps().inNamespace(namespace).withName(ManifestGenerator.SPEC_CONFIG_MAP);
    if (spec.get() != null) {
      RetryOnConflict.run(() -> spec.edit(cm -> {
        Map<String, String> annotations = cm.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
            : new LinkedHashMap<>(cm.getMetadata().getAnnotations());
        annotations.put(Labels.PLACEMENT, to.letters());
        cm.getMetadata().setAnnotations(annotations);
        return cm;
      }));
    }
    return moved;
  }

  /** Groups whose stages change get the new template, a new one is created, an emptied one deleted. */
  private void moveGroups(PipelineManifests target) {
    Set<String> wanted = new HashSet<>();
    for (Workload group : target.workloads()) {
      if (group.stages().isEmpty()) {
        continue; // the vgpu-backend does not move
      }
      wanted.add(group.name());
      Deployment live = client.apps().deployments().inNamespace(namespace).withName(group.name()).get();
      if (live == null) {
        client.resource(group.deployment()).create();
      } else if (!containerNames(live).equals(group.stages())) {
        replaceTemplate(group.name(), group.deployment().getSpec().getTemplate());
      }
    }
    for (Deployment live : edgepipeDeployments()) {
      if (isGroup(live) && !wanted.contains(live.getMetadata().getName())) {
        client.resource(live).delete(); // every stage it ran has moved to the other tier's group
      }
    }
  }

  private void replaceTemplate(String deployment, PodTemplateSpec template) {
    RetryOnConflict.run(() -> client.apps().deployments().inNamespace(namespace).withName(deployment).edit(d -> {
      d.getSpec().setTemplate(template);
      return d;
    }));
  }

  /** Each container of edgepipe's Deployments (a stage, by name) with the tier its Deployment selects. */
  private Map<String, Tier> stageTiers() {
    Map<String, Tier> tiers = new HashMap<>();
    for (Deployment d : edgepipeDeployments()) {
      for (String container : containerNames(d)) {
        tiers.put(container, tierOf(d));
      }
    }
    return tiers;
  }

  private List<Deployment> edgepipeDeployments() {
    return client.apps().deployments().inNamespace(namespace).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list()
        .getItems();
  }

  private static boolean isGroup(Deployment d) {
    Map<String, String> labels = d.getMetadata().getLabels();
    return labels != null && Labels.GROUP_COMPONENT.equals(labels.get(Labels.COMPONENT));
  }

  private static List<String> containerNames(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream().map(Container::getName).toList();
  }

  private Tier tierOf(Deployment d) {
    Map<String, String> selector = d.getSpec().getTemplate().getSpec().getNodeSelector();
    String tier = selector == null ? null : selector.get(Tier.NODE_LABEL);
    if (tier == null) {
      throw new PlannerException("Deployment " + d.getMetadata().getName() + " in namespace " + namespace
          + " selects no " + Tier.NODE_LABEL + " node; it was not deployed by edgepipe");
    }
    return Tier.parse(tier);
  }
}
