package io.edgepipe.planner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SpecFile;
import io.edgepipe.planner.manifest.Workload;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stage's pods and metrics port, whether it has a Pod of its own or a container in its tier's group. */
@EnableKubernetesMockClient(crud = true)
class StagePodsTest {
  static final SpecFile THESIS = SpecFile.load(Path.of("../pipelines/thesis.yaml"));

  KubernetesClient client;

  private void runPods(PipelineManifests m) {
    for (Workload w : m.workloads()) {
      PodTemplateSpec t = w.deployment().getSpec().getTemplate();
      client.pods().inNamespace("edgepipe").resource(new PodBuilder().withNewMetadata().withName(w.name() + "-x1")
          .withNamespace("edgepipe").withLabels(t.getMetadata().getLabels()).endMetadata().withSpec(t.getSpec()).build())
          .create();
    }
  }

  private List<String> podsOf(String stage) {
    return StagePods.of(client, "edgepipe", stage).stream().map(p -> p.getMetadata().getName()).toList();
  }

  @Test
  void aCoLocatedStageIsFoundInItsGroupsPodOnItsOwnMetricsPort() {
    runPods(THESIS.manifests(THESIS.placement("EESS"), ManifestOptions.builder().colocate(true).build()));
    assertEquals(List.of("edge-group-x1"), podsOf("conv"));
    assertEquals(List.of("server-group-x1"), podsOf("relu"));
    Pod server = StagePods.of(client, "edgepipe", "maxpool").get(0);
    assertEquals(9092, StagePods.metricsPort(server, "relu"));
    assertEquals(9093, StagePods.metricsPort(server, "maxpool"));
    assertEquals(9093, StagePods.lastMetricsPort(server), "frames leave the group through maxpool");
    assertEquals(9091, StagePods.lastMetricsPort(StagePods.of(client, "edgepipe", "producer").get(0)));
  }

  @Test
  void aStageOfItsOwnIsFoundByNameOnTheUsualPort() {
    runPods(THESIS.manifests(THESIS.placement("EESS"), ManifestOptions.builder().build()));
    assertEquals(List.of("conv-x1"), podsOf("conv"));
    Pod conv = StagePods.of(client, "edgepipe", "conv").get(0);
    assertEquals(9090, StagePods.metricsPort(conv, "conv"));
    assertEquals(9090, StagePods.lastMetricsPort(conv));
  }
}
