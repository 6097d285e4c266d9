package io.edgepipe.planner.manifest;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Every resource of one pipeline placement.
 *
 * @param pipeline        pipeline name
 * @param modelConfigMap  the ONNX file of a model spec ({@link ModelFile}), or null (no model, or on a claim)
 * @param placement       the placement
 * @param workloads       the vgpu-backend first when deployed, then the stages in chain order (or
 *                        their co-location groups, the producer's first)
 * @param networkPolicies the default deny first, then one per workload (empty when turned off)
 * @param secretsNeeded   the Secrets the workloads mount (TLS, vGPU tokens) and their source files
 * @param secrets         those Secrets as objects to apply, once made from files ({@link #withSecrets});
 *                        empty until then
 * @param stages          the chain, producer first
 */
public record PipelineManifests(String pipeline, Placement placement, Namespace namespace, ConfigMap configMap,
    ConfigMap modelConfigMap, List<Workload> workloads, List<NetworkPolicy> networkPolicies, List<SecretSources.Needed> secretsNeeded,
    List<Secret> secrets, List<String> stages) {

  public PipelineManifests {
    workloads = List.copyOf(workloads);
    networkPolicies = List.copyOf(networkPolicies);
    secretsNeeded = List.copyOf(secretsNeeded);
    secrets = List.copyOf(secrets);
    stages = List.copyOf(stages);
  }

  /** The same manifests that also create their Secrets, made from the files in {@code folder}. */
  public PipelineManifests withSecrets(java.nio.file.Path folder) {
    return new PipelineManifests(pipeline, placement, namespace, configMap, modelConfigMap, workloads, networkPolicies, secretsNeeded,
        SecretSources.secrets(this, folder), stages);
  }

  /** "thesis-EESS": the folder under manifests/. */
  public String directoryName() {
    return pipeline + "-" + placement.letters();
  }

  public String namespaceName() {
    return namespace.getMetadata().getName();
  }

  /** The stages in chain order (the vgpu-backend is not a stage). */
  public List<String> stageNames() {
    return stages;
  }

  /** Whether the stages run as containers of one Pod per tier ({@link CoLocation}). */
  public boolean colocated() {
    return workloads.stream()
        .anyMatch(w -> Labels.GROUP_COMPONENT.equals(w.deployment().getMetadata().getLabels().get(Labels.COMPONENT)));
  }

  /** The workload whose pods run {@code stage}, or null. */
  public Workload workloadOf(String stage) {
    return workloads.stream().filter(w -> w.stages().contains(stage)).findFirst().orElse(null);
  }

  /** The chain the stages form, producer first. */
  public StageChain chain() {
    return new StageChain(stages);
  }

  /**
   * All resources in apply order: namespace, config maps (the spec, the model), Secrets (when made), network policies
   * (so no pod runs unprotected), then each deployment and its service.
   */
  public List<HasMetadata> all() {
    List<HasMetadata> resources = new ArrayList<>();
    resources.add(namespace);
    resources.add(configMap);
    if (modelConfigMap != null) {
      resources.add(modelConfigMap);
    }
    resources.addAll(secrets);
    resources.addAll(networkPolicies);
    for (Workload workload : workloads) {
      resources.add(workload.deployment());
      resources.addAll(workload.services());
    }
    return resources;
  }
}
