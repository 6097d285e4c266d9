package io.edgepipe.planner.manifest;

import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns a pipeline spec and a placement into Kubernetes objects with the fabric8 model builders:
 * a namespace, a config map holding the spec, and a Deployment + Service per stage (plus the
 * vgpu-backend when asked for). Stage i is started with {@code --next} pointing at stage i+1's
 * Service; the last stage points at the sink in the producer pod. Every pod is locked down as
 * {@link Security} describes, and {@link NetworkPolicies} admit only each stage's upstream.
 */
public final class ManifestGenerator {
  public static final String SPEC_CONFIG_MAP = "pipeline-spec";
  public static final String SPEC_KEY = "pipeline.yaml";
  public static final String SPEC_PATH = WorkloadFactory.SPEC_DIR + "/" + SPEC_KEY;
  public static final String VGPU_BACKEND = "vgpu-backend";
  /** The image (edgepipe-stage-model) that runs a model's partitions. */
  public static final String MODEL_IMAGE = "model";
  static final String POD_SECURITY = "pod-security.kubernetes.io/";

  private ManifestGenerator() {}

  /**
   * @param spec      the parsed pipeline spec
   * @param specYaml  the spec file's text, stored as is in the config map
   * @param placement a placement already checked against the spec's chain
   */
  public static PipelineManifests generate(PipelineSpec spec, String specYaml, Placement placement,
      ManifestOptions options) {
    return generate(spec, specYaml, null, placement, options);
  }

  /**
   * As {@link #generate(PipelineSpec, String, Placement, ManifestOptions)} for a model spec:
   * {@code model} (null for none) is mounted wherever the spec is, and {@code specYaml} names
   * {@link ModelFile#path()} as its model file.
   */
  public static PipelineManifests generate(PipelineSpec spec, String specYaml, ModelFile model, Placement placement,
      ManifestOptions options) {
    StageChain chain = StageChain.of(spec);
    if (placement.size() != chain.size()) {
      throw new ManifestException("placement " + placement + " has " + placement.size() + " letters but pipeline "
          + spec.name() + " has " + chain.size() + " stages " + chain.stages());
    }
    checkReplicas(chain, options);
    boolean colocate = options.colocate();
    String namespace = options.namespace();
    // the model's bytes count too: a new model restarts the pods as a new spec does
    String specHash = sha256(model == null ? specYaml : specYaml + "\nmodel sha256 " + model.sha256());
    List<Workload> workloads = new ArrayList<>();
    SecretSources needs = new SecretSources();
    if (options.vgpuBackendImage() != null) {
      workloads.add(vgpuBackend(placement, options, needs));
    }
    CameraAccess camera = CameraAccess.of(options.source(), options);
    Map<Tier, CoLocation.RingVolume> rings = new EnumMap<>(Tier.class);
    if (colocate) {
      for (Tier tier : Tier.values()) {
        CoLocation.RingVolume ring = CoLocation.ringVolume(spec, chain, placement, tier);
        if (ring != null) {
          rings.put(tier, ring);
        }
      }
    }
    List<String> vgpuClients = new ArrayList<>();
    Map<Tier, List<WorkloadFactory.WorkloadSpec>> groups = new LinkedHashMap<>(); // the producer's tier first
    for (int i = 0; i < chain.size(); i++) {
      String stage = chain.stage(i);
      Tier tier = placement.tier(i);
      boolean producer = i == 0;
      int grpcPort = colocate ? CoLocation.grpcPort(i) : producer ? Ports.SINK : Ports.STAGE;
      int metricsPort = colocate ? CoLocation.metricsPort(i) : Ports.METRICS;
      String next = nextAddress(chain, placement, i, options);
      List<String> args = new ArrayList<>(producer ? producerArgs(options, next, metricsPort)
          : stageArgs(chain, i, tier, options, grpcPort, metricsPort, next));
      List<Security.SecretMount> secrets = new ArrayList<>();
      List<EnvVar> env = new ArrayList<>();
      if (options.tls()) {
        args.addAll(Security.tlsArgs());
        secrets.add(Security.tlsMount(stage));
      }
      if (!producer && device(tier, options).startsWith("vgpu://")) {
        // the stage's own tenant token, as a file; never an argument or an environment value
        secrets.add(Security.vgpuClientTokenMount(stage));
        env.add(new EnvVarBuilder().withName(Security.VGPU_TOKEN_FILE_ENV).withValue(Security.VGPU_TOKEN_FILE).build());
        if (options.vgpuBackend() == null) {
          vgpuClients.add(stage); // computes on the backend deployed here
        }
      }
      needs.add(secrets);
      if (colocate) {
        secrets.replaceAll(secret -> secret.renamed(secret.volume() + "-" + stage)); // one volume each in the Pod
        if (rings.containsKey(tier)) {
          env.add(rings.get(tier).env());
        }
      }
      WorkloadFactory.WorkloadSpec w = new WorkloadFactory.WorkloadSpec(stage, Labels.stage(stage), tier,
          image(spec, i, tier, options), args, grpcPort, colocate && !producer ? "grpc-" + i : producer ? "sink" : "grpc",
          options.replicas(stage), specHash, options.resources(tier), null, secrets, env, options.tls(),
          producer ? camera : null, metricsPort, colocate ? "metrics-" + i : "metrics");
      if (colocate) {
        groups.computeIfAbsent(tier, t -> new ArrayList<>()).add(w);
      } else {
        workloads.add(WorkloadFactory.build(w, model, namespace));
      }
    }
    groups.forEach((tier, members) ->
        workloads.add(WorkloadFactory.group(CoLocation.groupName(tier), tier, members, rings.get(tier), model,
            namespace)));
    List<NetworkPolicy> policies = options.networkPolicies()
        ? NetworkPolicies.build(chain, vgpuClients, options.vgpuBackendImage() != null, options)
        : List.of();
    return new PipelineManifests(spec.name(), placement, namespace(namespace, camera),
        configMap(namespace, specYaml, placement), model == null ? null : model.configMap(namespace), workloads, policies, needs.list(), List.of(), chain.stages());
  }

  /**
   * The image of service {@code index} of the chain (0 = the producer): a model's partitions all
   * run {@value #MODEL_IMAGE} (one launcher runs any partition; the spec says which), the other
   * stages their own.
   */
  static String image(PipelineSpec spec, int index, Tier tier, ManifestOptions options) {
    boolean partition = index > 0 && LayerSpec.PARTITION.equals(spec.layers().get(index - 1).kind());
    return image(partition ? MODEL_IMAGE : StageChain.of(spec).stage(index), tier, options);
  }

  /** {@code <registry>/edgepipe-stage-<name>:<tag>}, with "-edge" on the tag for the trimmed edge image. */
  public static String image(String stage, Tier tier, ManifestOptions options) {
    return options.registry() + "/edgepipe-stage-" + stage + ":" + options.imageTag() + (tier == Tier.EDGE ? "-edge" : "");
  }

  /**
   * Device of a stage: "auto" on the server (GPU there, CPU fallback); on GPU-less edge nodes
   * the remote vGPU when a backend is known, else the CPU emulation.
   */
  static String device(Tier tier, ManifestOptions options) {
    if (tier == Tier.SERVER) {
      return "auto";
    }
    String backend = vgpuAddress(options);
    return backend != null ? "vgpu://" + backend : "cpu";
  }

  /** --vgpu-backend, else the deployed backend's Service, else none. */
  static String vgpuAddress(ManifestOptions options) {
    if (options.vgpuBackend() != null) {
      return options.vgpuBackend();
    }
    if (options.vgpuBackendImage() != null) {
      return VGPU_BACKEND + "." + options.namespace() + ".svc.cluster.local:" + Ports.VGPU;
    }
    return null;
  }

  /**
   * Where stage {@code index} sends: "relu:50051" for a single pod; for a replicated receiver
   * "dns:///relu.NS.svc.cluster.local:50051", which resolves the headless Service to every pod
   * so the sender's gRPC channel can round-robin over them. Co-located: "127.0.0.1:PORT" when
   * the receiver is in the same Pod, else its Service with its port ({@link CoLocation}).
   */
  static String nextAddress(StageChain chain, Placement placement, int index, ManifestOptions options) {
    if (options.colocate()) {
      int to = CoLocation.receiver(chain, index);
      String host = CoLocation.insidePod(chain, placement, index) ? "127.0.0.1" : chain.stage(to);
      return host + ":" + CoLocation.grpcPort(to);
    }
    if (index + 1 >= chain.size()) {
      return StageChain.PRODUCER + ":" + Ports.SINK;
    }
    String next = chain.stage(index + 1);
    return options.replicas(next) > 1
        ? "dns:///" + next + "." + options.namespace() + ".svc.cluster.local:" + Ports.STAGE
        : next + ":" + Ports.STAGE;
  }

  private static List<String> stageArgs(StageChain chain, int index, Tier tier, ManifestOptions options, int port,
      int metricsPort, String next) {
    return List.of("stage", chain.stage(index), "--spec", SPEC_PATH, "--port", Integer.toString(port),
        "--metrics-port", Integer.toString(metricsPort), "--next", next, "--device", device(tier, options));
  }

  private static List<String> producerArgs(ManifestOptions options, String next, int metricsPort) {
    return List.of("stage", StageChain.PRODUCER, "--spec", SPEC_PATH, "--next", next,
        "--sink-port", Integer.toString(Ports.SINK), "--metrics-port", Integer.toString(metricsPort),
        "--source", options.source());
  }

  private static Workload vgpuBackend(Placement placement, ManifestOptions options, SecretSources needs) {
    Map<String, String> labels = Labels.selector(VGPU_BACKEND);
    labels.put(Labels.COMPONENT, VGPU_BACKEND);
    List<String> args = new ArrayList<>(List.of(VGPU_BACKEND, "--port", Integer.toString(Ports.VGPU), "--metrics-port",
        Integer.toString(Ports.METRICS)));
    // tenant tokens from the Secret vgpu-tokens, mounted as a file
    args.addAll(Security.vgpuTokensArgs());
    List<Security.SecretMount> secrets = new ArrayList<>(List.of(Security.vgpuTokensMount()));
    if (options.tls()) {
      args.addAll(Security.tlsArgs());
      secrets.add(Security.tlsMount(VGPU_BACKEND));
    }
    needs.add(secrets);
    return WorkloadFactory.build(new WorkloadFactory.WorkloadSpec(VGPU_BACKEND, labels, Tier.SERVER,
        options.vgpuBackendImage(), args, Ports.VGPU, "grpc", 1, null, options.resources(Tier.SERVER),
        options.gpuResource(), secrets, List.of(), options.tls()), options.namespace());
  }

  private static void checkReplicas(StageChain chain, ManifestOptions options) {
    for (Map.Entry<String, Integer> entry : options.replicas().entrySet()) {
      String stage = entry.getKey();
      if (chain.indexOf(stage) < 0) {
        throw new ManifestException("--replicas names '" + stage + "', which is not a stage of " + chain.stages());
      }
      if (entry.getValue() < 1) {
        throw new ManifestException("--replicas " + stage + "=" + entry.getValue() + ": at least 1");
      }
      if (stage.equals(StageChain.PRODUCER) && entry.getValue() > 1) {
        throw new ManifestException("the producer runs once: it holds the sink, where every frame is accounted for");
      }
      if (options.colocate() && entry.getValue() > 1) {
        throw new ManifestException("--colocate runs one Pod per tier: --replicas " + stage + "=" + entry.getValue()
            + " would replicate its whole group; leave out --replicas or --colocate");
      }
    }
  }

  /**
   * Pod Security "restricted" is enforced (the API server refuses a pod that breaks it) and
   * warned on (a Deployment whose pod template breaks it is admitted with a warning, where
   * enforcement alone would only leave its ReplicaSet failing to create pods). The one exception is
   * a hostPath camera, which needs a privileged producer: then the namespace admits it but keeps
   * warning and auditing against "restricted", and says why in an annotation.
   */
  private static Namespace namespace(String name, CameraAccess camera) {
    Map<String, String> labels = Labels.partOf();
    boolean hostCamera = camera != null && camera.exception() != null;
    labels.put(POD_SECURITY + "enforce", hostCamera ? "privileged" : "restricted");
    labels.put(POD_SECURITY + "warn", "restricted");
    if (hostCamera) {
      labels.put(POD_SECURITY + "audit", "restricted");
    }
    Namespace namespace = new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .build();
    if (hostCamera) {
      namespace.getMetadata().setAnnotations(new java.util.LinkedHashMap<>(
          Map.of(CameraAccess.EXCEPTION_ANNOTATION, camera.exception())));
    }
    return namespace;
  }

  private static ConfigMap configMap(String namespace, String specYaml, Placement placement) {
    Map<String, String> labels = Labels.partOf();
    labels.put(Labels.NAME, SPEC_CONFIG_MAP);
    return new ConfigMapBuilder()
        .withNewMetadata().withName(SPEC_CONFIG_MAP).withNamespace(namespace).withLabels(labels)
        .addToAnnotations(Labels.PLACEMENT, placement.letters()).endMetadata()
        .addToData(SPEC_KEY, specYaml)
        .build();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
