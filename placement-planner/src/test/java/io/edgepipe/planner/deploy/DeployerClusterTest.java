package io.edgepipe.planner.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.ManifestGenerator;
import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.ManifestWriter;
import io.edgepipe.planner.manifest.ModelFile;
import io.edgepipe.planner.manifest.ModelManifestTest;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SecretSources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Deploy, status and undeploy against a real Kubernetes API server: the one
 * {@code scripts/control-plane.sh up} starts (API server, controller manager and scheduler,
 * no kubelet), or a real k3s cluster. Runs only when EDGEPIPE_CLUSTER_KUBECONFIG names a
 * kubeconfig, or KUBECONFIG does and the run selects this group ({@code -Dgroups=cluster}).
 *
 * <p>A cluster with no node labelled edgepipe.io/tier gets two fake Nodes (objects only, removed
 * afterwards): the scheduler binds pods to them and, with no kubelet, they stay Pending.
 */
@Tag("cluster")
class DeployerClusterTest {
  static final String ENV = "EDGEPIPE_CLUSTER_KUBECONFIG";
  static final String NAMESPACE = "edgepipe-it";
  static final Path THESIS = Path.of("../pipelines/thesis.yaml");
  static final List<String> PLACEMENTS = List.of("ESSS", "EESS", "EEES", "EEEE", "SSSS");
  static final Map<Tier, String> FAKE_NODES = Map.of(Tier.EDGE, "edgepipe-it-edge", Tier.SERVER, "edgepipe-it-server");

  static KubernetesClient client;
  static ApiWarnings warnings;
  static boolean fakeNodes;

  @BeforeAll
  static void connect() throws Exception {
    String kubeconfig = kubeconfig();
    if (kubeconfig == null) {
      return; // each test skips, saying what it needs
    }
    warnings = new ApiWarnings();
    client = warnings.installOn(new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(new File(kubeconfig)))).build();
    fakeNodes = client.nodes().withLabel(Tier.NODE_LABEL).list().getItems().isEmpty();
    if (fakeNodes) {
      for (Map.Entry<Tier, String> node : FAKE_NODES.entrySet()) {
        registerFakeNode(node.getValue(), node.getKey());
      }
    }
  }

  /**
   * EDGEPIPE_CLUSTER_KUBECONFIG; or KUBECONFIG when the run asked for this group by name
   * ({@code -Dgroups=cluster}, which surefire passes on as a system property). A KUBECONFIG set
   * for everyday work alone never makes the default test run deploy to that cluster.
   */
  static String kubeconfig() {
    String explicit = System.getenv(ENV);
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String usual = System.getenv("KUBECONFIG");
    boolean asked = Arrays.asList(System.getProperty("groups", "").split(",")).contains("cluster");
    return asked && usual != null && !usual.isBlank() ? usual.split(File.pathSeparator)[0] : null;
  }

  /**
   * A Node object as a kubelet would register it, minus the kubelet. The API server taints a new
   * Node not-ready (NoSchedule) until its kubelet reports; there is none, so the test lifts the
   * taint to let the scheduler bind pods, and the Node stays without a Ready condition.
   */
  static void registerFakeNode(String name, Tier tier) {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels(Tier.NODE_LABEL, tier.label())
        .addToLabels("kubernetes.io/hostname", name).endMetadata().build()).create();
    RetryOnConflict.run(() -> client.nodes().withName(name).edit(n -> {
      n.getSpec().setTaints(List.of());
      return n;
    }));
    RetryOnConflict.run(() -> client.nodes().withName(name).editStatus(n -> {
      n.getStatus().setCapacity(Map.of("cpu", quantity("8"), "memory", quantity("16Gi"), "pods", quantity("110")));
      n.getStatus().setAllocatable(n.getStatus().getCapacity());
      return n;
    }));
  }

  static io.fabric8.kubernetes.api.model.Quantity quantity(String text) {
    return new io.fabric8.kubernetes.api.model.Quantity(text);
  }

  @AfterAll
  static void cleanUp() {
    if (client == null) {
      return;
    }
    try {
      removeTestNamespace();
    } finally {
      if (fakeNodes) {
        FAKE_NODES.values().forEach(n -> client.nodes().withName(n).delete());
      }
      client.close();
    }
  }

  @BeforeEach
  void emptyNamespace() {
    assumeTrue(client != null, "needs a Kubernetes API server: run scripts/control-plane.sh build && "
        + "scripts/control-plane.sh up and export the " + ENV + " it prints (or, for a k3s cluster, "
        + "KUBECONFIG=... ./mvnw test -Dgroups=cluster)");
    removeTestNamespace();
    warningsBefore = warnings.all().size();
  }

  int warningsBefore;

  /** Warnings the API server sent since the test began. */
  List<String> newWarnings() {
    List<String> all = warnings.all();
    return all.subList(warningsBefore, all.size());
  }

  static void removeTestNamespace() {
    if (client.namespaces().withName(NAMESPACE).get() != null) {
      client.namespaces().withName(NAMESPACE).delete();
      waitUntil(() -> client.namespaces().withName(NAMESPACE).get() == null, Duration.ofSeconds(90),
          "namespace " + NAMESPACE + " to be gone");
    }
  }

  static PipelineManifests manifests(String placement, ManifestOptions.Builder options) throws Exception {
    PipelineSpec spec = PipelineSpec.load(THESIS);
    return ManifestGenerator.generate(spec, Files.readString(THESIS), Placement.parse(placement, StageChain.of(spec).stages()),
        options.namespace(NAMESPACE).build());
  }

  static PipelineManifests manifests(String placement) throws Exception {
    return manifests(placement, ManifestOptions.builder());
  }

  static Deployer deployer() {
    return Deployer.serverSideApply(client, new DeployListener() {});
  }

  /** Kind/name to resourceVersion of every object edgepipe applied, the namespace included. */
  static Map<String, String> versions(PipelineManifests m) {
    Map<String, String> versions = new TreeMap<>();
    for (HasMetadata desired : m.all()) {
      HasMetadata live = client.resource(desired).get();
      assertNotNull(live, desired.getKind() + "/" + desired.getMetadata().getName() + " is missing");
      versions.put(desired.getKind() + "/" + desired.getMetadata().getName(), live.getMetadata().getResourceVersion());
    }
    return versions;
  }

  @Test
  void deployIsServerSideApplyAndARepeatChangesNothing() throws Exception {
    PipelineManifests m = manifests("EESS");
    DeployResult first = deployer().deploy(m, null);
    assertTrue(first.applied().stream().allMatch(r -> r.outcome() == ApplyOutcome.CREATED), first.applied().toString());
    for (HasMetadata desired : m.all()) {
      HasMetadata live = client.resource(desired).get();
      List<String> managers = live.getMetadata().getManagedFields().stream()
          .filter(f -> "Apply".equals(f.getOperation())).map(ManagedFieldsEntry::getManager).collect(Collectors.toList());
      assertEquals(List.of("edgepipe"), managers, desired.getKind() + "/" + desired.getMetadata().getName());
    }
    Map<String, String> before = versions(m);

    DeployResult again = deployer().deploy(manifests("EESS"), null);
    assertTrue(again.unchanged(), again.applied().toString());
    assertEquals(before, versions(m));
    assertEquals(List.of(), newWarnings());
  }

  @Test
  void everyPlacementIsAdmittedStrictlyUnderPodSecurityRestrictedWithoutWarnings() throws Exception {
    List<PipelineManifests> variants = new ArrayList<>();
    for (String placement : PLACEMENTS) {
      variants.add(manifests(placement));
    }
    variants.add(manifests("EESS", ManifestOptions.builder().replicas("relu", 2).replicas("maxpool", 3)));
    variants.add(withSecrets(manifests("EESS", ManifestOptions.builder().vgpuBackendImage("edgepipe/vgpu-backend:it")
        .tls(true))));
    variants.add(manifests("EESS", ManifestOptions.builder().source("camera:/dev/video0")
        .cameraResource("akri.sh/akri-usb-video=1")));
    // co-located (--colocate): a Pod per tier sharing a memory emptyDir and one pid namespace
    for (String placement : PLACEMENTS) {
      variants.add(manifests(placement, ManifestOptions.builder().colocate(true)));
    }
    variants.add(withSecrets(manifests("EESS", ManifestOptions.builder().colocate(true)
        .vgpuBackendImage("edgepipe/vgpu-backend:it").tls(true))));
    for (PipelineManifests m : variants) {
      DeployResult result = deployer().deploy(m, null);
      assertFalse(result.applied().isEmpty());
      assertEquals(List.of(), newWarnings(), "warnings while applying " + m.directoryName());
      Namespace ns = client.namespaces().withName(NAMESPACE).get();
      assertEquals("restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
      // the Secrets this variant mounts are there (7 with TLS and the vGPU backend), no others
      assertEquals(m.secretsNeeded().stream().map(SecretSources.Needed::name).sorted().collect(Collectors.toList()),
          client.secrets().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems().stream()
              .map(x -> x.getMetadata().getName()).sorted().collect(Collectors.toList()), m.directoryName());
    }
    assertEquals(7, variants.get(PLACEMENTS.size() + 1).secretsNeeded().size());
    assertEquals(7, variants.get(variants.size() - 1).secretsNeeded().size());

    // the checks are live: the namespace refuses a pod that breaks "restricted", and strict
    // validation refuses a field the server does not know
    Pod root = new PodBuilder().withNewMetadata().withName("runs-as-root").withNamespace(NAMESPACE).endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    KubernetesClientException refused = assertThrows(KubernetesClientException.class,
        () -> client.resource(root).create());
    assertTrue(refused.getMessage().contains("violates PodSecurity \"restricted"), refused.getMessage());
    HasMetadata unknownField = client.getKubernetesSerialization().unmarshal(
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"typo\",\"namespace\":\"" + NAMESPACE
            + "\"},\"dataa\":{\"k\":\"v\"}}", io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
    KubernetesClientException strict = assertThrows(KubernetesClientException.class,
        () -> client.resource(unknownField).fieldValidation(Validation.STRICT).fieldManager("edgepipe").serverSideApply());
    assertTrue(strict.getMessage().contains("dataa"), strict.getMessage());
  }

  @Test
  void aHostPathCameraIsAdmittedAsTheOneWarnedException() throws Exception {
    // without a camera device plugin the producer is privileged with a hostPath device: the
    // namespace then enforces "privileged" but keeps warning against "restricted", so the API
    // server admits it and says exactly what breaks the profile
    PipelineManifests m = manifests("EESS", ManifestOptions.builder().source("camera:/dev/video0"));
    deployer().deploy(m, null);
    List<String> warned = newWarnings();
    assertEquals(1, warned.size(), warned.toString());
    String warning = warned.get(0);
    assertTrue(warning.contains("/deployments/producer") && warning.contains("would violate PodSecurity \"restricted")
        && warning.contains("privileged") && warning.contains("\"hostPath\""), warning);
    assertEquals("privileged", client.namespaces().withName(NAMESPACE).get().getMetadata().getLabels()
        .get("pod-security.kubernetes.io/enforce"));
    waitUntil(() -> client.pods().inNamespace(NAMESPACE).withLabel(Labels.NAME, "producer").list().getItems().size() == 1,
        Duration.ofSeconds(60), "the producer pod to be admitted");
  }

  /**
   * The manifests with their Secrets made from placeholder files: a test certificate and key
   * for the TLS keys (the API server warns about a TLS Secret without PEM), text for tokens.
   */
  static PipelineManifests withSecrets(PipelineManifests m) throws Exception {
    Path folder = Files.createTempDirectory("edgepipe-it-secrets");
    Path fixtures = Path.of("src/test/resources/cluster-it");
    for (SecretSources.Needed needed : m.secretsNeeded()) {
      for (Map.Entry<String, String> file : needed.files().entrySet()) {
        Path target = folder.resolve(file.getValue());
        if (file.getKey().endsWith(".crt")) {
          Files.copy(fixtures.resolve("cert.pem"), target, StandardCopyOption.REPLACE_EXISTING);
        } else if (file.getKey().endsWith(".key")) {
          Files.copy(fixtures.resolve("key.pem"), target, StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.writeString(target, "placeholder " + file.getKey() + "\n");
        }
      }
    }
    try {
      return m.withSecrets(folder);
    } finally {
      try (var files = Files.walk(folder)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void aNewPlacementChangesOnlyTheStageThatMoved() throws Exception {
    PipelineManifests eess = manifests("EESS");
    deployer().deploy(eess, null);
    waitUntil(() -> boundPods().size() == 4, Duration.ofSeconds(60), "4 pods bound to nodes");
    Map<String, List<String>> podsBefore = boundPods();
    Map<String, String> before = versions(eess);

    PipelineManifests esss = manifests("ESSS");
    DeployResult moved = deployer().deploy(esss, null);
    Map<String, ApplyOutcome> outcomes = moved.applied().stream()
        .collect(Collectors.toMap(r -> r.kind() + "/" + r.name(), AppliedResource::outcome));
    Map<String, String> after = versions(esss);
    List<String> changed = new ArrayList<>();
    before.forEach((object, version) -> {
      if (!version.equals(after.get(object))) {
        changed.add(object);
      }
    });
    assertEquals(List.of("ConfigMap/pipeline-spec", "Deployment/conv"), changed);
    assertEquals(ApplyOutcome.CONFIGURED, outcomes.get("Deployment/conv"));
    assertEquals(ApplyOutcome.UNCHANGED, outcomes.get("Deployment/relu"));

    // conv gets a new pod on the server tier (the old one stays until the new one is ready);
    // the other stages keep their pods
    waitUntil(() -> boundPods().getOrDefault("conv", List.of()).stream()
        .anyMatch(pod -> !podsBefore.get("conv").contains(pod) && tierOfNode(nodeOf(pod)).equals("server")),
        Duration.ofSeconds(60), "a conv pod on the server tier");
    Map<String, List<String>> podsAfter = boundPods();
    for (String stage : List.of("producer", "relu", "maxpool")) {
      assertEquals(podsBefore.get(stage), podsAfter.get(stage), stage + " was restarted");
    }
  }

  @Test
  void coLocatedStagesRunAsOnePodPerTierBehindTheirOwnServices() throws Exception {
    // from a Pod per stage to a Pod per tier: the stage Deployments are pruned, the stage Services stay
    deployer().deploy(manifests("EESS"), null);
    PipelineManifests m = manifests("EESS", ManifestOptions.builder().colocate(true));
    deployer().deploy(m, null);
    assertEquals(List.of(), newWarnings());
    assertEquals(List.of("edge-group", "server-group"), names(client.apps().deployments().inNamespace(NAMESPACE)
        .withLabel(Labels.PART_OF).list().getItems()));
    assertEquals(List.of("conv", "maxpool", "producer", "relu"), names(client.services().inNamespace(NAMESPACE)
        .withLabel(Labels.PART_OF).list().getItems()));
    waitUntil(() -> boundPods().keySet().equals(java.util.Set.of("edge-group", "server-group"))
        && boundPods().values().stream().allMatch(p -> p.size() == 1), Duration.ofSeconds(60),
        "one pod per group bound to a node");
    for (Pod pod : client.pods().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems()) {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String group = pod.getMetadata().getLabels().get(Labels.NAME);
      assertEquals(group.equals("edge-group") ? "edge" : "server", tierOfNode(pod.getSpec().getNodeName()), group);
      assertEquals(group.equals("edge-group") ? List.of("producer", "conv") : List.of("relu", "maxpool"),
          pod.getSpec().getContainers().stream().map(c -> c.getName()).collect(Collectors.toList()));
      // the API server kept what the restricted profile and the shared ring need
      assertEquals(Boolean.TRUE, pod.getSpec().getShareProcessNamespace(), group);
      assertEquals("Memory", pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("shm")).findFirst()
          .orElseThrow().getEmptyDir().getMedium(), group);
    }
    // every stage's Service selects exactly the live pod whose containers include it
    for (io.fabric8.kubernetes.api.model.Service service : client.services().inNamespace(NAMESPACE)
        .withLabel(Labels.PART_OF).list().getItems()) {
      String stage = service.getMetadata().getName();
      List<Pod> selected = client.pods().inNamespace(NAMESPACE).withLabels(service.getSpec().getSelector()).list()
          .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
      assertEquals(1, selected.size(), stage);
      assertTrue(selected.get(0).getSpec().getContainers().stream().anyMatch(c -> c.getName().equals(stage)), stage);
    }
    DeployResult again = deployer().deploy(manifests("EESS", ManifestOptions.builder().colocate(true)), null);
    assertTrue(again.unchanged(), again.applied().toString());

    // deploy EESS -> ESSS co-located: the two groups and the ConfigMap change, no Service or policy
    Map<String, String> before = liveVersions();
    deployer().deploy(manifests("ESSS", ManifestOptions.builder().colocate(true)), null);
    assertEquals(List.of("ConfigMap/pipeline-spec", "Deployment/edge-group", "Deployment/server-group"),
        changedSince(before));
    assertEquals(List.of("producer"), containers("edge-group"));
    // and to EEEE: the server group is pruned, the stage Services stay
    deployer().deploy(manifests("EEEE", ManifestOptions.builder().colocate(true)), null);
    assertEquals(List.of("edge-group"), names(client.apps().deployments().inNamespace(NAMESPACE)
        .withLabel(Labels.PART_OF).list().getItems()));
    assertEquals(List.of("conv", "maxpool", "producer", "relu"), names(client.services().inNamespace(NAMESPACE)
        .withLabel(Labels.PART_OF).list().getItems()));
    assertEquals(List.of(), newWarnings());
  }

  /**
   * {@code pipeline autoplace --placement}: ClusterPlacement patches the Deployments through the
   * fabric8 client against the real API server. Only the moved stage's Deployment changes (a new
   * pod on the other tier, the others keep theirs), the spec ConfigMap's annotation follows, and
   * Services and NetworkPolicies are untouched; co-located, the two groups change and an emptied
   * group is deleted.
   */
  @Test
  void autoplaceMovesOnlyTheStagesThatChangeTier() throws Exception {
    deployer().deploy(manifests("EESS"), null);
    waitUntil(() -> boundPods().size() == 4, Duration.ofSeconds(60), "4 pods bound to nodes");
    Map<String, List<String>> podsBefore = boundPods();
    Map<String, String> before = liveVersions();
    io.edgepipe.planner.control.ClusterPlacement cluster =
        new io.edgepipe.planner.control.ClusterPlacement(client, NAMESPACE);
    assertEquals("EESS", cluster.current(STAGES).letters());

    assertEquals(List.of("conv"), cluster.move(manifests("ESSS")));
    assertEquals(List.of("ConfigMap/pipeline-spec", "Deployment/conv"), changedSince(before));
    assertEquals("ESSS", placementAnnotation());
    assertEquals("ESSS", cluster.current(STAGES).letters());
    assertEquals(List.of(), newWarnings());
    waitUntil(() -> boundPods().getOrDefault("conv", List.of()).stream()
        .anyMatch(pod -> !podsBefore.get("conv").contains(pod) && tierOfNode(nodeOf(pod)).equals("server")),
        Duration.ofSeconds(60), "a conv pod on the server tier");
    Map<String, List<String>> podsAfter = boundPods();
    for (String stage : List.of("producer", "relu", "maxpool")) {
      assertEquals(podsBefore.get(stage), podsAfter.get(stage), stage + " was restarted");
    }
    assertEquals(List.of(), cluster.move(manifests("ESSS")), "nothing left to move");

    // co-located: conv leaves the edge group for the server's, then the server group empties
    deployer().deploy(manifests("EESS", ManifestOptions.builder().colocate(true)), null);
    Map<String, String> grouped = liveVersions();
    assertEquals(List.of("conv"), cluster.move(manifests("ESSS", ManifestOptions.builder().colocate(true))));
    assertEquals(List.of("ConfigMap/pipeline-spec", "Deployment/edge-group", "Deployment/server-group"),
        changedSince(grouped));
    assertEquals(List.of("producer"), containers("edge-group"));
    assertEquals(List.of("conv", "relu", "maxpool"), containers("server-group"));
    assertEquals(List.of("conv", "relu", "maxpool"), cluster.move(manifests("EEEE", ManifestOptions.builder()
        .colocate(true))));
    assertEquals("EEEE", placementAnnotation());
    assertEquals(List.of("edge-group"), names(client.apps().deployments().inNamespace(NAMESPACE)
        .withLabel(Labels.PART_OF).list().getItems()));
    assertEquals(List.of(), newWarnings());
  }

  static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");

  /**
   * A model spec (pipeline model import): a Deployment per partition service and the ONNX file as
   * the ConfigMap pipeline-model, admitted under "restricted" without warnings; the file reaches
   * every pod's volumes; co-located too; a deploy without a model prunes its ConfigMap. The written
   * folder applies with the command {@code pipeline manifests} prints (kubectl, when on PATH).
   */
  @Test
  void aModelSpecDeploysItsPartitionsWithTheModelInAConfigMap() throws Exception {
    PipelineManifests m = ModelManifestTest.model("EES", ManifestOptions.builder().namespace(NAMESPACE).build());
    DeployResult first = deployer().deploy(m, null);
    assertTrue(first.applied().stream().anyMatch(r -> r.name().equals(ModelFile.CONFIG_MAP)
        && r.outcome() == ApplyOutcome.CREATED), first.applied().toString());
    assertEquals(List.of(), newWarnings());
    ConfigMap live = client.configMaps().inNamespace(NAMESPACE).withName(ModelFile.CONFIG_MAP).get();
    assertArrayEquals(ModelManifestTest.MODEL, Base64.getDecoder().decode(live.getBinaryData().get("tiny.onnx")));
    waitUntil(() -> boundPods().size() == 3, Duration.ofSeconds(60), "3 pods bound to nodes");
    assertEquals(List.of("producer", "tiny-c0-c40", "tiny-c40-c93"), new ArrayList<>(boundPods().keySet()).stream()
        .sorted().toList());
    assertEachStageOnItsTier(m);
    assertEveryPodMountsTheModel(3);
    assertTrue(deployer().deploy(ModelManifestTest.model("EES", ManifestOptions.builder().namespace(NAMESPACE).build()),
        null).unchanged(), "a repeated deploy changes nothing");

    deployer().deploy(ModelManifestTest.model("EES", ManifestOptions.builder().namespace(NAMESPACE).colocate(true)
        .build()), null);
    assertEquals(List.of(), newWarnings());
    waitUntil(() -> boundPods().keySet().equals(java.util.Set.of("edge-group", "server-group")), Duration.ofSeconds(60),
        "one pod per group");
    assertEveryPodMountsTheModel(2);

    deployer().deploy(manifests("EESS"), null);
    assertEquals(null, client.configMaps().inNamespace(NAMESPACE).withName(ModelFile.CONFIG_MAP).get(),
        "the thesis chain has no model: its ConfigMap is pruned");

    if (io.edgepipe.planner.manifest.KustomizeTest.kubectlOnPath()) {
      removeTestNamespace();
      Path out = Files.createTempDirectory("edgepipe-it-model");
      PipelineManifests written = ModelManifestTest.model("ESS", ManifestOptions.builder().namespace(NAMESPACE)
          .build());
      Path dir = ManifestWriter.write(written, out);
      List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig()));
      command.addAll(Arrays.asList(ManifestWriter.applyCommand(written, dir).substring("kubectl ".length()).split(" ")));
      Process kubectl = new ProcessBuilder(command).redirectErrorStream(true).start();
      String said = new String(kubectl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(kubectl.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, kubectl.exitValue(), command + ":\n" + said);
      assertTrue(said.contains("configmap/pipeline-model serverside-applied"), said);
      assertArrayEquals(ModelManifestTest.MODEL, Base64.getDecoder().decode(client.configMaps().inNamespace(NAMESPACE)
          .withName(ModelFile.CONFIG_MAP).get().getBinaryData().get("tiny.onnx")));
      assertNotNull(client.apps().deployments().inNamespace(NAMESPACE).withName("tiny-c40-c93").get());
    }
  }

  /** Every live pod of edgepipe has the model volume from the ConfigMap, mounted read-only in each container. */
  static void assertEveryPodMountsTheModel(int pods) {
    List<Pod> live = client.pods().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    assertEquals(pods, live.size(), live.stream().map(p -> p.getMetadata().getName()).toList().toString());
    for (Pod pod : live) {
      String where = pod.getMetadata().getName();
      assertEquals(ModelFile.CONFIG_MAP, pod.getSpec().getVolumes().stream()
          .filter(v -> v.getName().equals(ModelFile.VOLUME)).findFirst().orElseThrow(() -> new AssertionError(where))
          .getConfigMap().getName(), where);
      for (var c : pod.getSpec().getContainers()) {
        assertTrue(c.getVolumeMounts().stream().anyMatch(v -> v.getName().equals(ModelFile.VOLUME)
            && v.getMountPath().equals(ModelFile.DIR) && Boolean.TRUE.equals(v.getReadOnly())), where + "/" + c.getName());
      }
    }
  }

  /** Kind/name to resourceVersion of every edgepipe Deployment, Service, NetworkPolicy and the spec ConfigMap. */
  static Map<String, String> liveVersions() {
    Map<String, String> versions = new TreeMap<>();
    List<HasMetadata> live = new ArrayList<>();
    live.addAll(client.apps().deployments().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    live.addAll(client.services().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    live.addAll(client.network().networkPolicies().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    live.addAll(client.configMaps().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    live.forEach(o -> versions.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
    return versions;
  }

  /** What changed or went since {@code before}, sorted. */
  static List<String> changedSince(Map<String, String> before) {
    Map<String, String> now = liveVersions();
    return before.entrySet().stream().filter(e -> !e.getValue().equals(now.get(e.getKey()))).map(Map.Entry::getKey)
        .sorted().collect(Collectors.toList());
  }

  static String placementAnnotation() {
    return client.configMaps().inNamespace(NAMESPACE).withName(ManifestGenerator.SPEC_CONFIG_MAP).get().getMetadata()
        .getAnnotations().get(Labels.PLACEMENT);
  }

  static List<String> containers(String deployment) {
    return client.apps().deployments().inNamespace(NAMESPACE).withName(deployment).get().getSpec().getTemplate()
        .getSpec().getContainers().stream().map(c -> c.getName()).collect(Collectors.toList());
  }

  static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream().map(o -> o.getMetadata().getName()).sorted().collect(Collectors.toList());
  }

  @Test
  void podsLandOnTheirTierAndDeployAndStatusSayTheyAreNotRunning() throws Exception {
    PipelineManifests m = manifests("EESS");
    Duration timeout = Duration.ofSeconds(120);
    long start = System.nanoTime();
    if (!fakeNodes) {
      // a real cluster runs the pods (when the images are there): only where they land is checked
      deployer().deploy(m, null);
      waitUntil(() -> boundPods().size() == 4, Duration.ofSeconds(60), "4 pods bound to nodes");
      assertEachStageOnItsTier(m);
      return;
    }
    DeployResult result = deployer().deploy(m, new RolloutWaiter(timeout, Duration.ofMillis(500)));
    assertTrue(System.nanoTime() - start < timeout.toNanos() / 2, "deploy waited for pods that cannot start");
    assertEquals(4, result.notRunning().size(), result.notRunning().toString());
    for (String line : result.notRunning()) {
      assertTrue(line.matches("(producer|conv|relu|maxpool): pod \\S+ is Pending on node edgepipe-it-(edge|server) "
          + "\\((edge|server)\\), whose kubelet is not Ready, so it will not start there"), line);
    }
    Map<String, String> landed = result.landings().stream()
        .collect(Collectors.toMap(StageLanding::stage, l -> l.node() + "/" + l.tier() + "/" + l.phase()));
    assertEquals(Map.of("producer", "edgepipe-it-edge/edge/Pending", "conv", "edgepipe-it-edge/edge/Pending",
        "relu", "edgepipe-it-server/server/Pending", "maxpool", "edgepipe-it-server/server/Pending"), landed);
    assertEachStageOnItsTier(m);

    List<StageStatus> status = new StatusReporter(client,
        new FpsMeter(new ApiProxyFramesCounter(client), Duration.ofSeconds(1))).status(NAMESPACE);
    assertEquals(List.of("producer", "conv", "relu", "maxpool"),
        status.stream().map(StageStatus::name).collect(Collectors.toList()));
    for (StageStatus s : status) {
      assertEquals(0, s.ready());
      assertFalse(s.fps().isPresent());
      assertTrue(s.unreadable().matches("pod " + s.name() + "-\\S+ is Pending on node edgepipe-it-" + s.tier()
          + " \\(" + s.tier() + "\\), whose kubelet is not Ready, so it will not start there"), s.unreadable());
    }
    String table = StatusReporter.render(NAMESPACE, status);
    for (String stage : List.of("producer", "conv", "relu", "maxpool")) {
      assertEquals(1, table.lines().filter(l -> l.startsWith("  " + stage + ": fps not read: pod ")).count(), table);
    }
  }

  @Test
  void undeployRemovesWhatEdgepipeMadeAndNothingElse() throws Exception {
    PipelineManifests m = manifests("EESS");
    deployer().deploy(m, null);
    waitUntil(() -> boundPods().size() == 4, Duration.ofSeconds(60), "4 pods bound to nodes");
    client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata().withName("notes")
        .endMetadata().addToData("owner", "someone else").build()).create();

    Undeployment first = Undeployer.undeploy(client, NAMESPACE);
    assertTrue(first.deleted().containsAll(List.of("Deployment/conv", "Service/conv", "ConfigMap/pipeline-spec",
        "NetworkPolicy/default-deny-ingress")), first.deleted().toString());
    assertFalse(first.deleted().contains("Namespace/" + NAMESPACE));
    assertEquals("namespace " + NAMESPACE + " kept: it holds objects edgepipe did not make (ConfigMap/notes)",
        first.namespaceKept());
    // the controllers take the ReplicaSets, pods and endpoints along
    waitUntil(() -> edgepipeObjects().isEmpty(), Duration.ofSeconds(60), "no edgepipe object left");
    assertNotNull(client.configMaps().inNamespace(NAMESPACE).withName("notes").get());
    if (fakeNodes) {
      FAKE_NODES.values().forEach(n -> assertNotNull(client.nodes().withName(n).get(), n));
    }

    client.configMaps().inNamespace(NAMESPACE).withName("notes").delete();
    waitUntil(() -> client.configMaps().inNamespace(NAMESPACE).withName("notes").get() == null,
        Duration.ofSeconds(10), "notes to be gone");
    Undeployment second = Undeployer.undeploy(client, NAMESPACE);
    assertEquals(List.of("Namespace/" + NAMESPACE), second.deleted());
    waitUntil(() -> client.namespaces().withName(NAMESPACE).get() == null, Duration.ofSeconds(90),
        "namespace " + NAMESPACE + " to be gone");
  }

  /** Objects labelled as edgepipe's, of every kind a deploy makes or causes. */
  static List<String> edgepipeObjects() {
    List<HasMetadata> found = new ArrayList<>();
    found.addAll(client.apps().deployments().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    found.addAll(client.apps().replicaSets().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    found.addAll(client.pods().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    found.addAll(client.services().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    found.addAll(client.endpoints().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    found.addAll(client.discovery().v1().endpointSlices().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list()
        .getItems());
    found.addAll(client.configMaps().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    found.addAll(client.network().networkPolicies().inNamespace(NAMESPACE).withLabel(Labels.PART_OF).list().getItems());
    return found.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toList());
  }

  /** Stage to the names of its pods that are bound to a node and not being deleted. */
  static Map<String, List<String>> boundPods() {
    Map<String, List<String>> pods = new TreeMap<>();
    for (Pod pod : client.pods().inNamespace(NAMESPACE).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list()
        .getItems()) {
      if (pod.getSpec().getNodeName() != null && pod.getMetadata().getDeletionTimestamp() == null) {
        pods.computeIfAbsent(pod.getMetadata().getLabels().get(Labels.NAME), k -> new ArrayList<>())
            .add(pod.getMetadata().getName());
      }
    }
    pods.values().forEach(names -> names.sort(null));
    return pods;
  }

  static String nodeOf(String pod) {
    return client.pods().inNamespace(NAMESPACE).withName(pod).get().getSpec().getNodeName();
  }

  static String tierOfNode(String node) {
    Node n = client.nodes().withName(node).get();
    return n.getMetadata().getLabels().getOrDefault(Tier.NODE_LABEL, "-");
  }

  static void assertEachStageOnItsTier(PipelineManifests m) {
    for (Pod pod : client.pods().inNamespace(NAMESPACE).withLabel(Labels.PART_OF, Labels.PART_OF_VALUE).list()
        .getItems()) {
      String stage = pod.getMetadata().getLabels().get(Labels.NAME);
      Tier wanted = m.placement().tier(m.chain().indexOf(stage));
      assertEquals(wanted.label(), tierOfNode(pod.getSpec().getNodeName()), stage + " on " + pod.getSpec().getNodeName());
    }
  }

  /**
   * What a kubelet does for a deleted pod, which the fake Nodes cannot: confirm it stopped, so the
   * API server removes it (a graceful delete otherwise waits for that confirmation forever).
   */
  static void confirmTerminations() {
    for (Pod pod : client.pods().inNamespace(NAMESPACE).list().getItems()) {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
      }
    }
  }

  static void waitUntil(BooleanSupplier condition, Duration limit, String what) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (fakeNodes) {
        confirmTerminations();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + limit.toSeconds() + " s for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
