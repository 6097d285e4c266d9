package io.edgepipe.cli.deploy;

import io.edgepipe.cli.options.SpecOption;
import picocli.CommandLine.Mixin;
import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.SpecFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags shared by the commands that generate manifests (plan, manifests, deploy). */
public final class ManifestFlags {
  @Mixin
  SpecOption spec;

  @Option(names = {"-n", "--namespace"}, defaultValue = "edgepipe", description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--registry", defaultValue = "edgepipe",
      description = "Image registry: images are REGISTRY/edgepipe-stage-NAME:TAG, TAG-edge on the edge (default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(names = "--image-tag", description = "Image tag (default: the project version).")
  String imageTag;

  @Option(names = "--replicas", paramLabel = "STAGE=N",
      description = "Replicas of a stage (repeatable); more than 1 makes its Service headless and its upstream round-robin.")
  Map<String, Integer> replicas = new LinkedHashMap<>();

  @Option(names = "--vgpu-backend", paramLabel = "HOST:PORT",
      description = "vgpu-backend that edge stages use as their GPU (--device vgpu://HOST:PORT).")
  String vgpuBackend;

  @Option(names = "--vgpu-backend-image", paramLabel = "IMAGE",
      description = "Deploy a vgpu-backend from IMAGE on the server tier; edge stages use it unless --vgpu-backend says otherwise.")
  String vgpuBackendImage;

  @Option(names = "--gpu-resource", paramLabel = "NAME", description = "Extended resource the vgpu-backend requests, e.g. nvidia.com/gpu.")
  String gpuResource;

  @Option(names = "--resource", paramLabel = "TIER.KIND.RES=QTY",
      description = "Override a container resource (repeatable), e.g. edge.limits.memory=4Gi, server.requests.cpu=1.")
  List<String> resources = new ArrayList<>();

  @Option(names = "--source", defaultValue = "synthetic", description = "Producer's frame source (default: ${DEFAULT-VALUE}).")
  String source;

  // --- issue 6.5 security: TLS and network policy flags ---
  @Option(names = "--tls",
      description = "Mutual TLS between the services and to the vgpu-backend: every pod mounts the Secret NAME-tls "
          + "(make them with `pipeline certs`).")
  boolean tls;

  @Option(names = "--no-network-policies",
      description = "Leave out the NetworkPolicies (default: a default deny plus one policy per service).")
  boolean noNetworkPolicies;

  @Option(names = "--metrics-from", paramLabel = "CIDR",
      description = "Also admit this CIDR to every metrics port (repeatable), e.g. the nodes' range for `pipeline status`.")
  List<String> metricsFrom = new ArrayList<>();
  // --- end issue 6.5 ---

  SpecFile specFile() {
    return SpecFile.load(spec.file());
  }

  /** Options from the flags; {@code plannedReplicas} (from a plan) are overridden by --replicas. */
  ManifestOptions options(Map<String, Integer> plannedReplicas) {
    ManifestOptions.Builder builder = ManifestOptions.builder().namespace(namespace).registry(registry)
        .replicas(plannedReplicas).replicas(replicas).vgpuBackend(vgpuBackend).vgpuBackendImage(vgpuBackendImage)
        .gpuResource(gpuResource).source(source);
    if (imageTag != null) {
      builder.imageTag(imageTag);
    }
    resources.forEach(builder::resourceOverride);
    builder.tls(tls).networkPolicies(!noNetworkPolicies); // issue 6.5 security
    metricsFrom.forEach(builder::metricsFrom);             // issue 6.5 security
    return builder.build();
  }
}
