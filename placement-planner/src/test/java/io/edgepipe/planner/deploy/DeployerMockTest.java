package io.edgepipe.planner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.manifest.ManifestGenerator;
import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deploy, redeploy, status and undeploy against the fabric8 CRUD mock server. The mock cannot
 * do server-side apply (checked below), so these use {@link ReplaceApply}; it runs no
 * controllers either, so the tests play the Deployment controller by writing status.
 */
@EnableKubernetesMockClient(crud = true)
class DeployerMockTest {
  static final Path THESIS = Path.of("../pipelines/thesis.yaml");
  static final RolloutWaiter QUICK = new RolloutWaiter(Duration.ofSeconds(5), Duration.ofMillis(20));

  KubernetesClient client;

  @BeforeEach
  void nodes() {
    // the mock keeps state per test class; start every test from an empty cluster with two nodes
    // (the mock does not cascade a namespace deletion, so clear the namespaced kinds too)
    client.apps().deployments().inAnyNamespace().delete();
    client.services().inAnyNamespace().delete();
    client.configMaps().inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    client.namespaces().delete();
    client.nodes().delete();
    // Ready kubelets: pods bound to them are expected to start
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("jetson").addToLabels("edgepipe.io/tier", "edge")
        .endMetadata().withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
        .build()).create();
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("gpu-box").addToLabels("edgepipe.io/tier", "server")
        .endMetadata().withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
        .build()).create();
  }

  static PipelineManifests manifests(String placement, ManifestOptions options) throws Exception {
    PipelineSpec spec = PipelineSpec.load(THESIS);
    return ManifestGenerator.generate(spec, Files.readString(THESIS), Placement.parse(placement, StageChain.of(spec).stages()),
        options);
  }

  /** Plays the Deployment controller once everything is applied: all replicas ready, one pod each on its tier's node. */
  class ReadyMaker implements DeployListener {
    final List<String> progress = new ArrayList<>();

    @Override
    public void allApplied(List<AppliedResource> resources) {
      for (Deployment d : client.apps().deployments().inNamespace("edgepipe").list().getItems()) {
        markReady(d.getMetadata().getName());
        String tier = d.getSpec().getTemplate().getSpec().getNodeSelector().get("edgepipe.io/tier");
        String pod = d.getMetadata().getName() + "-abc12";
        if (client.pods().inNamespace("edgepipe").withName(pod).get() == null) {
          client.pods().inNamespace("edgepipe").resource(new PodBuilder().withNewMetadata().withName(pod)
              .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
              .withNewSpec().withNodeName(tier.equals("edge") ? "jetson" : "gpu-box").endSpec()
              .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
              .endStatus().build()).create();
        }
      }
    }

    @Override
    public void progress(String line) {
      progress.add(line);
    }
  }

  void markReady(String name) {
    client.apps().deployments().inNamespace("edgepipe").withName(name).editStatus(d -> {
      int replicas = d.getSpec().getReplicas();
      d.setStatus(new DeploymentStatusBuilder()
          .withObservedGeneration(d.getMetadata().getGeneration()).withReplicas(replicas)
          .withUpdatedReplicas(replicas).withReadyReplicas(replicas).withAvailableReplicas(replicas).build());
      return d;
    });
  }

  Map<String, String> versions() {
    Map<String, String> versions = new HashMap<>();
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.apps().deployments().inNamespace("edgepipe").list().getItems());
    all.addAll(client.services().inNamespace("edgepipe").list().getItems());
    all.addAll(client.configMaps().inNamespace("edgepipe").list().getItems());
    all.add(client.namespaces().withName("edgepipe").get());
    for (HasMetadata r : all) {
      versions.put(r.getKind() + "/" + r.getMetadata().getName(),
          r.getMetadata().getResourceVersion() + "@" + r.getMetadata().getGeneration());
    }
    return versions;
  }

  Deployer deployer(DeployListener listener) {
    return new Deployer(client, new ReplaceApply(), listener);
  }

  @Test
  void mockServerHasNoServerSideApply() throws Exception {
    // Why the tests use ReplaceApply: if this starts passing, switch them to ServerSideApply.
    PipelineManifests m = manifests("EESS", ManifestOptions.defaults());
    assertThrows(KubernetesClientException.class, () -> new ServerSideApply().apply(client, m.configMap()));
  }

  @Test
  void deployRedeployStatusUndeploy() throws Exception {
    ReadyMaker ready = new ReadyMaker();
    DeployResult first = deployer(ready).deploy(manifests("EESS", ManifestOptions.defaults()), QUICK);
    assertEquals(15, first.applied().size()); // namespace, config map, 5 network policies, 4 x (deployment + service)
    assertTrue(first.applied().stream().allMatch(r -> r.outcome() == ApplyOutcome.CREATED), first.applied().toString());
    assertEquals("ready: producer 1/1, conv 1/1, relu 1/1, maxpool 1/1", ready.progress.get(ready.progress.size() - 1));
    Map<String, String> landed = first.landings().stream()
        .collect(Collectors.toMap(StageLanding::stage, l -> l.node() + "/" + l.tier()));
    assertEquals(Map.of("producer", "jetson/edge", "conv", "jetson/edge", "relu", "gpu-box/server",
        "maxpool", "gpu-box/server"), landed);

    Map<String, String> before = versions();
    DeployResult again = deployer(ready).deploy(manifests("EESS", ManifestOptions.defaults()), QUICK);
    assertTrue(again.unchanged(), again.applied().toString());
    assertEquals(before, versions());

    List<StageStatus> status = new StatusReporter(client,
        new FpsMeter(new ApiProxyFramesCounter(client), Duration.ofSeconds(1))).status("edgepipe");
    assertEquals(List.of("producer", "conv", "relu", "maxpool"),
        status.stream().map(StageStatus::name).collect(Collectors.toList()));
    StageStatus relu = status.get(2);
    assertEquals("server", relu.tier());
    assertEquals(1, relu.ready());
    assertEquals(List.of("gpu-box"), relu.nodes());
    assertFalse(relu.fps().isPresent()); // the mock serves no /metrics
    String table = StatusReporter.render("edgepipe", status);
    assertTrue(table.contains("relu      server  1/1    gpu-box  -"), table);

    List<String> deleted = Undeployer.undeploy(client, "edgepipe").deleted();
    assertTrue(deleted.contains("Namespace/edgepipe"), deleted.toString());
    assertTrue(client.apps().deployments().inNamespace("edgepipe").list().getItems().isEmpty());
    assertTrue(client.services().inNamespace("edgepipe").list().getItems().isEmpty());
    assertTrue(client.configMaps().inNamespace("edgepipe").list().getItems().isEmpty());
    assertTrue(client.pods().inNamespace("edgepipe").list().getItems().isEmpty());
    assertNull(client.namespaces().withName("edgepipe").get());
  }

  @Test
  void newPlacementReconfiguresOnlyWhatMoved() throws Exception {
    ReadyMaker ready = new ReadyMaker();
    deployer(ready).deploy(manifests("EESS", ManifestOptions.defaults()), QUICK);
    long convGeneration = client.apps().deployments().inNamespace("edgepipe").withName("conv").get()
        .getMetadata().getGeneration();
    DeployResult moved = deployer(ready).deploy(manifests("ESSS", ManifestOptions.defaults()), QUICK);
    Map<String, ApplyOutcome> outcomes = moved.applied().stream()
        .collect(Collectors.toMap(r -> r.kind() + "/" + r.name(), AppliedResource::outcome));
    assertEquals(ApplyOutcome.CONFIGURED, outcomes.get("ConfigMap/pipeline-spec")); // its placement annotation
    assertEquals(ApplyOutcome.UNCHANGED, outcomes.get("Deployment/relu")); // relu did not move
    assertEquals(ApplyOutcome.CONFIGURED, outcomes.get("Deployment/conv")); // placement label and node changed
    Deployment conv = client.apps().deployments().inNamespace("edgepipe").withName("conv").get();
    assertEquals("server", conv.getSpec().getTemplate().getSpec().getNodeSelector().get("edgepipe.io/tier"));
    assertNotEquals(convGeneration, conv.getMetadata().getGeneration());
  }

  @Test
  void replicasSwitchTheServiceToHeadlessAndLeftoversArePruned() throws Exception {
    ReadyMaker ready = new ReadyMaker();
    deployer(ready).deploy(manifests("EESS", ManifestOptions.builder().vgpuBackendImage("reg/vgpu:1").build()), QUICK);
    assertTrue(client.apps().deployments().inNamespace("edgepipe").withName("vgpu-backend").get() != null);
    DeployResult result = deployer(ready).deploy(manifests("EESS", ManifestOptions.builder().replicas("maxpool", 2)
        .build()), QUICK);
    assertEquals("None", client.services().inNamespace("edgepipe").withName("maxpool").get().getSpec().getClusterIP());
    assertEquals(2, client.apps().deployments().inNamespace("edgepipe").withName("maxpool").get().getSpec().getReplicas());
    assertNull(client.apps().deployments().inNamespace("edgepipe").withName("vgpu-backend").get());
    assertNull(client.services().inNamespace("edgepipe").withName("vgpu-backend").get());
    assertTrue(result.applied().contains(new AppliedResource("Deployment", "vgpu-backend", ApplyOutcome.DELETED)));
  }

  @Test
  void aNamespaceSomeoneElseMadeIsLeftAlone() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("edgepipe").endMetadata().build())
        .create();
    DeployResult result = deployer(new ReadyMaker()).deploy(manifests("EESS", ManifestOptions.defaults()), QUICK);
    assertEquals(new AppliedResource("Namespace", "edgepipe", ApplyOutcome.SKIPPED), result.applied().get(0));
    List<String> deleted = Undeployer.undeploy(client, "edgepipe").deleted();
    assertFalse(deleted.contains("Namespace/edgepipe"));
    assertTrue(client.namespaces().withName("edgepipe").get() != null);
    assertTrue(client.apps().deployments().inNamespace("edgepipe").list().getItems().isEmpty());
  }

  @Test
  void aTierWithoutNodesIsRefusedBeforeAnythingIsApplied() throws Exception {
    client.nodes().withName("gpu-box").delete();
    ClusterException e = assertThrows(ClusterException.class,
        () -> deployer(new ReadyMaker()).deploy(manifests("EESS", ManifestOptions.defaults()), QUICK));
    assertEquals("no node is labelled edgepipe.io/tier=server, but placement EESS puts relu, maxpool on the server "
        + "tier (label one: kubectl label node NODE edgepipe.io/tier=server)", e.getMessage());
    assertTrue(client.apps().deployments().inNamespace("edgepipe").list().getItems().isEmpty());
    // an all-edge placement needs no server node
    deployer(new ReadyMaker()).deploy(manifests("EEEE", ManifestOptions.defaults()), QUICK);
  }

  @Test
  void rolloutWaitIsBounded() throws Exception {
    List<String> progress = new ArrayList<>();
    DeployListener listener = new DeployListener() {
      @Override
      public void allApplied(List<AppliedResource> resources) {
        markReady("producer"); // the others never become ready
      }

      @Override
      public void progress(String line) {
        progress.add(line);
      }
    };
    ClusterException e = assertThrows(ClusterException.class, () -> deployer(listener)
        .deploy(manifests("EESS", ManifestOptions.defaults()), new RolloutWaiter(Duration.ofMillis(300), Duration.ofMillis(20))));
    assertTrue(e.getMessage().startsWith("rollout did not finish within 0.3 s: conv 0/1 ready, relu 0/1 ready, "
        + "maxpool 0/1 ready"), e.getMessage());
    assertEquals(List.of("ready: producer 1/1, conv 0/1, relu 0/1, maxpool 0/1"), progress);
  }

  @Test
  void fpsComesFromTwoCounterReadings() throws Exception {
    deployer(new ReadyMaker()).deploy(manifests("EESS", ManifestOptions.defaults()), QUICK);
    AtomicInteger reads = new AtomicInteger();
    FramesCounter counter = pod -> pod.getMetadata().getName().startsWith("conv")
        ? OptionalDouble.of(reads.getAndIncrement() == 0 ? 100 : 110) : OptionalDouble.empty();
    List<StageStatus> status = new StatusReporter(client, new FpsMeter(counter, Duration.ofMillis(200)))
        .status("edgepipe");
    StageStatus conv = status.get(1);
    assertEquals("conv", conv.name());
    assertTrue(conv.fps().getAsDouble() > 10 && conv.fps().getAsDouble() <= 50, conv.fps().toString()); // 10 frames in ~0.2 s
    assertFalse(status.get(2).fps().isPresent());
  }
}
