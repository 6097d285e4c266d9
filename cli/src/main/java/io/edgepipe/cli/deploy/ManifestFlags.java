package io.edgepipe.cli.deploy;

import io.edgepipe.api.Placement;
import io.edgepipe.launcher.options.SpecOption;
import picocli.CommandLine.Mixin;
import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.ManifestWriter;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SecretSources;
import io.edgepipe.planner.manifest.SpecFile;
import io.edgepipe.planner.predict.ReplicaChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Flags shared by the commands that generate manifests (plan, manifests, deploy). */
public final class ManifestFlags {
  @Mixin
  SpecOption spec;

  @Mixin
  NamespaceOption namespace;

  @Option(names = "--registry", defaultValue = "edgepipe",
      description = "Image registry: images are REGISTRY/edgepipe-stage-NAME:TAG, TAG-edge on the edge (default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(names = "--image-tag", description = "Image tag (default: the project version).")
  String imageTag;

  @Option(names = "--replicas", paramLabel = "auto|N|STAGE=N",
      description = "Replicas in the manifests (default: one pod per stage). `plan` also takes auto (its best count "
          + "for the stage that limits) or N (N pods of that stage); STAGE=N is repeatable. More than 1 makes a "
          + "stage's Service headless and its upstream round-robin.")
  List<String> replicas = new ArrayList<>();

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

  @Option(names = "--secrets-from", paramLabel = "DIR",
      description = "Folder of `pipeline certs --out DIR [--vgpu-tenants ...]`: the Secrets the manifests mount (TLS, "
          + "vGPU tokens) are made from its files: `deploy` creates them, `manifests`/`plan` copy them under secrets/ "
          + "(git-ignored) with a secretGenerator, so `kubectl apply -k` creates them.")
  Path secretsFrom;

  @Option(names = "--camera-resource", paramLabel = "DOMAIN/NAME[=N]",
      description = "Device-plugin resource that gives the producer its camera (e.g. akri.sh/akri-usb-video=1); without "
          + "it a camera:/dev/videoN source is a hostPath device in a privileged producer, an exception stated in "
          + "the manifests.")
  String cameraResource;

  @Option(names = "--camera-group", defaultValue = "44", paramLabel = "GID",
      description = "Group allowed to open the camera device (default: ${DEFAULT-VALUE}, \"video\" on Debian).")
  long cameraGroup;

  @Option(names = "--colocate",
      description = "Run the stages a placement puts on one tier as containers of one Pod: hops inside it go to "
          + "127.0.0.1 and through shared memory (a memory emptyDir), the restricted Pod Security profile is kept. "
          + "`autoplace` keeps the layout that is deployed.")
  boolean colocate;

  @Option(names = "--model-pvc", paramLabel = "CLAIM",
      description = "A model spec's ONNX file comes from this PersistentVolumeClaim (the file at its root, under its "
          + "own name) instead of a ConfigMap, which holds at most 1 MiB.")
  String modelPvc;

  ReplicaChoice replicaChoice() {
    return ReplicaChoice.parse(replicas);
  }

  /** The manifests of {@code placement} for a command without a plan: replicas STAGE=N only. */
  PipelineManifests unplanned(SpecFile specFile, Placement placement) {
    return specFile.manifests(placement, options(replicaChoice().withoutPlan()));
  }

  /** Writes the manifests (with their Secrets' files when --secrets-from is given); refuses ones whose Secrets cannot be made. */
  Path write(PipelineManifests manifests, Path root) {
    SecretSources.requireFiles(manifests, secretsFrom);
    return ManifestWriter.write(manifests, root, secretsFrom);
  }

  /** The manifests with their Secrets made from --secrets-from, for a deploy; refuses ones whose Secrets cannot be made. */
  PipelineManifests withSecrets(PipelineManifests manifests) {
    return SecretSources.requireNothing(manifests) ? manifests : manifests.withSecrets(secretsFrom);
  }

  /** The spec; a model spec ({@code pipeline model import}) with its ONNX file for the pods. */
  SpecFile specFile() {
    if (spec.isModel()) {
      return ModelSpecFile.load(spec.file(), modelPvc);
    }
    if (modelPvc != null) {
      throw new io.edgepipe.api.SpecException("--model-pvc: " + spec.file() + " is not a model spec");
    }
    return SpecFile.load(spec.file());
  }

  /** Options from the flags, with {@code replicas} per stage (resolved from --replicas). */
  ManifestOptions options(Map<String, Integer> replicas) {
    ManifestOptions.Builder builder = ManifestOptions.builder().namespace(namespace.name()).registry(registry)
        .replicas(replicas).vgpuBackend(vgpuBackend).vgpuBackendImage(vgpuBackendImage)
        .gpuResource(gpuResource).source(source);
    if (imageTag != null) {
      builder.imageTag(imageTag);
    }
    resources.forEach(builder::resourceOverride);
    builder.tls(tls).networkPolicies(!noNetworkPolicies); // issue 6.5 security
    metricsFrom.forEach(builder::metricsFrom);             // issue 6.5 security
    builder.cameraResource(cameraResource).cameraGroup(cameraGroup).secretsFrom(secretsFrom);
    builder.colocate(colocate);
    return builder.build();
  }
}
