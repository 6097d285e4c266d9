package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ManifestGeneratorTest {
  static final Path THESIS = Path.of("../pipelines/thesis.yaml");

  static PipelineManifests thesis(String placement, ManifestOptions options) throws Exception {
    PipelineSpec spec = PipelineSpec.load(THESIS);
    return ManifestGenerator.generate(spec, Files.readString(THESIS), Placement.parse(placement, StageChain.of(spec).stages()),
        options);
  }

  static Workload workload(PipelineManifests m, String name) {
    return m.workloads().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
  }

  static Container container(PipelineManifests m, String name) {
    return workload(m, name).deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void oneWorkloadPerStageOnItsTier() throws Exception {
    PipelineManifests m = thesis("EESS", ManifestOptions.builder().imageTag("1.0").build());
    assertEquals("thesis-EESS", m.directoryName());
    assertEquals(List.of("producer", "conv", "relu", "maxpool"), m.stageNames());
    Map<String, String> tiers = m.workloads().stream().collect(Collectors.toMap(Workload::name,
        w -> w.deployment().getSpec().getTemplate().getSpec().getNodeSelector().get("edgepipe.io/tier")));
    assertEquals(Map.of("producer", "edge", "conv", "edge", "relu", "server", "maxpool", "server"), tiers);
    assertEquals("edgepipe/edgepipe-stage-conv:1.0-edge", container(m, "conv").getImage());
    assertEquals("edgepipe/edgepipe-stage-relu:1.0", container(m, "relu").getImage());
    Deployment relu = workload(m, "relu").deployment();
    // the placement is on the spec config map only, so moving one stage leaves the others untouched
    assertEquals(Map.of("app.kubernetes.io/name", "relu", "app.kubernetes.io/part-of", "edgepipe",
        "edgepipe.io/stage", "relu"), relu.getMetadata().getLabels());
    assertEquals("EESS", m.configMap().getMetadata().getAnnotations().get("edgepipe.io/placement"));
    assertEquals(Map.of("app.kubernetes.io/name", "relu", "app.kubernetes.io/part-of", "edgepipe"),
        relu.getSpec().getSelector().getMatchLabels());
    assertEquals(List.of("stage", "relu", "--spec", "/etc/edgepipe/pipeline.yaml", "--port", "50051", "--metrics-port",
        "9090", "--next", "maxpool:50051", "--device", "auto"), container(m, "relu").getArgs());
    assertEquals(List.of("stage", "maxpool", "--spec", "/etc/edgepipe/pipeline.yaml", "--port", "50051",
        "--metrics-port", "9090", "--next", "producer:50060", "--device", "auto"), container(m, "maxpool").getArgs());
    assertEquals("cpu", container(m, "conv").getArgs().get(11)); // no GPU, no backend on the edge
    assertEquals(50051, container(m, "relu").getReadinessProbe().getGrpc().getPort());
    assertEquals(50060, container(m, "producer").getLivenessProbe().getGrpc().getPort());
    assertEquals("spec.nodeName", container(m, "conv").getEnv().get(0).getValueFrom().getFieldRef().getFieldPath());
    assertEquals("1Gi", container(m, "conv").getResources().getLimits().get("memory").toString());
    assertEquals("2Gi", container(m, "relu").getResources().getLimits().get("memory").toString());
    assertNull(workload(m, "relu").service().getSpec().getClusterIP());
    assertEquals(Files.readString(THESIS), m.configMap().getData().get("pipeline.yaml"));
  }

  @Test
  void replicasMakeTheServiceHeadlessAndTheUpstreamRoundRobin() throws Exception {
    PipelineManifests m = thesis("EESS", ManifestOptions.builder().namespace("lab").replicas("maxpool", 3).build());
    assertEquals(3, workload(m, "maxpool").deployment().getSpec().getReplicas());
    assertEquals("None", workload(m, "maxpool").service().getSpec().getClusterIP());
    assertEquals("dns:///maxpool.lab.svc.cluster.local:50051", container(m, "relu").getArgs().get(9));
  }

  @Test
  void replicasAreChecked() {
    assertTrue(assertThrows(ManifestException.class,
        () -> thesis("EESS", ManifestOptions.builder().replicas("producer", 2).build())).getMessage()
        .contains("producer runs once"));
    assertTrue(assertThrows(ManifestException.class,
        () -> thesis("EESS", ManifestOptions.builder().replicas("pool", 2).build())).getMessage()
        .contains("'pool', which is not a stage"));
  }

  @Test
  void edgeStagesUseTheRemoteGpu() throws Exception {
    PipelineManifests given = thesis("EESS", ManifestOptions.builder().vgpuBackend("10.0.0.5:50070").build());
    assertEquals("vgpu://10.0.0.5:50070", container(given, "conv").getArgs().get(11));
    assertEquals("auto", container(given, "relu").getArgs().get(11));
    assertEquals(4, given.workloads().size()); // an address only: nothing deployed

    PipelineManifests deployed = thesis("EESS", ManifestOptions.builder().vgpuBackendImage("reg/vgpu:1")
        .gpuResource("nvidia.com/gpu").build());
    assertEquals("vgpu://vgpu-backend.edgepipe.svc.cluster.local:50070", container(deployed, "conv").getArgs().get(11));
    Workload backend = workload(deployed, "vgpu-backend");
    assertEquals("server", backend.deployment().getSpec().getTemplate().getSpec().getNodeSelector().get("edgepipe.io/tier"));
    assertEquals("reg/vgpu:1", container(deployed, "vgpu-backend").getImage());
    assertEquals("1", container(deployed, "vgpu-backend").getResources().getLimits().get("nvidia.com/gpu").toString());
    assertEquals(50070, backend.service().getSpec().getPorts().get(0).getPort());
  }

  @Test
  void resourcesCanBeOverridden() throws Exception {
    PipelineManifests m = thesis("EESS", ManifestOptions.builder().resourceOverride("edge.limits.memory=4Gi")
        .resourceOverride("server.requests.cpu=1").build());
    assertEquals("4Gi", container(m, "conv").getResources().getLimits().get("memory").toString());
    assertEquals("1", container(m, "relu").getResources().getRequests().get("cpu").toString());
    assertThrows(ManifestException.class, () -> ManifestOptions.builder().resourceOverride("edge.memory=4Gi"));
    assertThrows(ManifestException.class, () -> ManifestOptions.builder().resourceOverride("cloud.limits.cpu=1"));
  }

  @Test
  void filesAreListedInTheKustomization() throws Exception {
    Map<String, String> files = ManifestWriter.files(thesis("ESSS", ManifestOptions.defaults()));
    assertEquals(List.of("namespace.yaml", "configmap.yaml", "networkpolicies.yaml", "producer.yaml", "conv.yaml",
        "relu.yaml", "maxpool.yaml", "kustomization.yaml"), List.copyOf(files.keySet()));
    assertEquals(List.of("namespace.yaml", "configmap.yaml", "producer.yaml", "conv.yaml", "relu.yaml", "maxpool.yaml",
        "kustomization.yaml"), List.copyOf(ManifestWriter.files(thesis("ESSS", ManifestOptions.builder()
            .networkPolicies(false).build())).keySet()));
    for (String file : files.keySet()) {
      if (!file.equals("kustomization.yaml")) {
        assertTrue(files.get("kustomization.yaml").contains("- \"" + file + "\""), file);
      }
    }
  }
}
