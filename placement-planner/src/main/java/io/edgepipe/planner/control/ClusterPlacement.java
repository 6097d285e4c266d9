package io.edgepipe.planner.control;

import io.edgepipe.planner.PlannerException;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.ManifestGenerator;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.Workload;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployed pipeline's placement in a cluster, read from its Deployments' node selectors, and
 * moved by patching them through the fabric8 client. A stage whose tier changes gets the pod
 * template of the new placement's manifests (node selector, and what follows from the tier: the
 * image variant, the device argument), which the Deployment controller rolls out: the new pod
 * starts on a node of the new tier before the old one is stopped (the default rolling update),
 * the Service's DNS name repoints the upstream, and the old pod drains on SIGTERM while the
 * upstream's custody window re-sends anything it had not answered. Stages that stay keep their
 * pod template untouched (no restart); the placement annotation on the spec's config map is updated.
 */
public final class ClusterPlacement {
  private final KubernetesClient client;
  private final String namespace;

  public ClusterPlacement(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The placement the Deployments of {@code stages} (chain order) select now. */
  public Placement current(List<String> stages) {
    StringBuilder letters = new StringBuilder();
    for (String stage : stages) {
      letters.append(tierOf(deployment(stage)).letter());
    }
    return new Placement(letters.toString());
  }

  /**
   * Moves the deployed chain to {@code target.placement()}: patches the Deployments of the stages
   * whose tier changes; returns their names (empty when nothing moves).
   */
  public List<String> move(PipelineManifests target) {
    List<String> stages = target.stageNames();
    Placement from = current(stages);
    Placement to = target.placement();
    List<String> moved = new ArrayList<>();
    for (Workload workload : target.workloads()) {
      String name = workload.name();
      int index = stages.indexOf(name);
      if (index < 0) {
        continue; // the vgpu-backend does not move
      }
      if (from.tier(index) == to.tier(index)) {
        continue; // untouched: no restart
      }
      PodTemplateSpec template = workload.deployment().getSpec().getTemplate();
      client.apps().deployments().inNamespace(namespace).withName(name).edit(d -> {
        d.getSpec().setTemplate(template);
        return d;
      });
      moved.add(name);
    }
    // recorded where deploy records it: on the spec config map, not on every workload
    if (client.configMaps().inNamespace(namespace).withName(ManifestGenerator.SPEC_CONFIG_MAP).get() != null) {
      client.configMaps().inNamespace(namespace).withName(ManifestGenerator.SPEC_CONFIG_MAP).edit(cm -> {
        Map<String, String> annotations = cm.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
            : new LinkedHashMap<>(cm.getMetadata().getAnnotations());
        annotations.put(Labels.PLACEMENT, to.letters());
        cm.getMetadata().setAnnotations(annotations);
        return cm;
      });
    }
    return moved;
  }

  private Deployment deployment(String stage) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(stage).get();
    if (d == null) {
      throw new PlannerException("no Deployment '" + stage + "' in namespace " + namespace
          + "; deploy the pipeline first (pipeline deploy)");
    }
    return d;
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
