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
 * @param placement       the placement
 * @param workloads       the vgpu-backend first when deployed, then the stages in chain order
 * @param networkPolicies the default deny first, then one per workload (empty when turned off)
 * @param secretsNeeded   the Secrets the workloads mount (TLS, vGPU tokens) and their source files
 * @param secrets         those Secrets as objects to apply, once made from files ({@link #withSecrets});
 *                        empty until then
 */
public record PipelineManifests(String pipeline, Placement placement, Namespace namespace, ConfigMap configMap,
    List<Workload> workloads, List<NetworkPolicy> networkPolicies, List<SecretSources.Needed> secretsNeeded,
    List<Secret> secrets) {

  public PipelineManifests {
    workloads = List.copyOf(workloads);
    networkPolicies = List.copyOf(networkPolicies);
    secretsNeeded = List.copyOf(secretsNeeded);
    secrets = List.copyOf(secrets);
  }

  public PipelineManifests(String pipeline, Placement placement, Namespace namespace, ConfigMap configMap,
      List<Workload> workloads, List<NetworkPolicy> networkPolicies) {
    this(pipeline, placement, namespace, configMap, workloads, networkPolicies, List.of(), List.of());
  }

  /** The same manifests that also create their Secrets, made from the files in {@code folder}. */
  public PipelineManifests withSecrets(java.nio.file.Path folder) {
    return new PipelineManifests(pipeline, placement, namespace, configMap, workloads, networkPolicies, secretsNeeded,
        SecretSources.secrets(this, folder));
  }

  /** Without network policies. */
  public PipelineManifests(String pipeline, Placement placement, Namespace namespace, ConfigMap configMap,
      List<Workload> workloads) {
    this(pipeline, placement, namespace, configMap, workloads, List.of());
  }

  /** "thesis-EESS": the folder under manifests/. */
  public String directoryName() {
    return pipeline + "-" + placement.letters();
  }

  public String namespaceName() {
    return namespace.getMetadata().getName();
  }

  /** Names of the pipeline's stage workloads in chain order (the vgpu-backend is not a stage). */
  public List<String> stageNames() {
    List<String> names = new ArrayList<>();
    for (Workload workload : workloads) {
      if (workload.deployment().getMetadata().getLabels().containsKey(Labels.STAGE)) {
        names.add(workload.name());
      }
    }
    return names;
  }

  /** The chain the stage workloads form, producer first. */
  public StageChain chain() {
    return new StageChain(stageNames());
  }

  /**
   * All resources in apply order: namespace, config map, Secrets (when made), network policies
   * (so no pod runs unprotected), then each deployment and its service.
   */
  public List<HasMetadata> all() {
    List<HasMetadata> resources = new ArrayList<>();
    resources.add(namespace);
    resources.add(configMap);
    resources.addAll(secrets);
    resources.addAll(networkPolicies);
    for (Workload workload : workloads) {
      resources.add(workload.deployment());
      resources.add(workload.service());
    }
    return resources;
  }
}
