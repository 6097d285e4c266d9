package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.planner.PlannerException;
import io.edgepipe.planner.deploy.RetryOnConflict;
import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SpecFile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `autoplace`'s move against fabric8's CRUD mock server: only what changes tier is patched. */
@EnableKubernetesMockClient(crud = true)
class ClusterPlacementTest {
  static final SpecFile THESIS = SpecFile.load(Path.of("../pipelines/thesis.yaml"));
  static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");

  KubernetesClient client;
  KubernetesMockServer server;

  static PipelineManifests manifests(String placement) {
    return THESIS.manifests(THESIS.placement(placement), ManifestOptions.builder().imageTag("1.0").build());
  }

  @BeforeEach
  void deployed() {
    client.apps().deployments().inAnyNamespace().delete();
    client.namespaces().delete();
    for (HasMetadata resource : manifests("EESS").all()) {
      client.resource(resource).create();
    }
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace("edgepipe").withName(name).get();
  }

  @Test
  void movingPatchesTheStagesThatChangeTierAndLabelsTheRest() {
    ClusterPlacement cluster = new ClusterPlacement(client, "edgepipe");
    assertEquals("EESS", cluster.current(STAGES).letters());
    PodTemplateSpec producerBefore = deployment("producer").getSpec().getTemplate();
    PodTemplateSpec reluBefore = deployment("relu").getSpec().getTemplate();

    assertEquals(List.of("conv"), cluster.move(manifests("ESSS")));

    assertEquals("ESSS", cluster.current(STAGES).letters());
    Deployment conv = deployment("conv");
    assertEquals("server", conv.getSpec().getTemplate().getSpec().getNodeSelector().get("edgepipe.io/tier"));
    // what follows from the tier: the full image, the server's device
    assertEquals("edgepipe/edgepipe-stage-conv:1.0", conv.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    List<String> args = conv.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertEquals("auto", args.get(args.indexOf("--device") + 1));
    assertEquals("ESSS", client.configMaps().inNamespace("edgepipe").withName("pipeline-spec").get().getMetadata()
        .getAnnotations().get("edgepipe.io/placement"));
    // the others keep their pod template: no restart
    assertEquals(producerBefore, deployment("producer").getSpec().getTemplate());
    assertEquals(reluBefore, deployment("relu").getSpec().getTemplate());

    assertEquals(List.of("conv", "relu", "maxpool"), cluster.move(manifests("EEEE")));
    assertEquals("EEEE", cluster.current(STAGES).letters());
    assertEquals(List.of(), cluster.move(manifests("EEEE")), "nothing to move");
  }

  /**
   * The Deployment controller writes to a Deployment while a move patches it (a previous rollout's
   * status): the API server answers 409 Conflict, and the move tries again on a fresh read.
   */
  @Test
  void aPatchThatLosesARaceWithTheClusterIsTriedAgain() {
    String convPath = "/apis/apps/v1/namespaces/edgepipe/deployments/conv";
    server.expect().patch().withPath(convPath).andReturn(409, conflict("conv")).times(2);
    ClusterPlacement cluster = new ClusterPlacement(client, "edgepipe");

    assertEquals(List.of("conv"), cluster.move(manifests("ESSS")));
    assertEquals("ESSS", cluster.current(STAGES).letters());

    server.expect().patch().withPath(convPath).andReturn(409, conflict("conv"))
        .times(RetryOnConflict.ATTEMPTS);
    KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> cluster.move(manifests("EESS")));
    assertEquals(409, e.getCode(), "a conflict that does not clear is not hidden");
  }

  private static io.fabric8.kubernetes.api.model.Status conflict(String name) {
    return new StatusBuilder().withCode(409).withReason("Conflict").withStatus("Failure")
        .withMessage("Operation cannot be fulfilled on deployments.apps \"" + name + "\": the object has been modified")
        .build();
  }

  @Test
  void aPipelineThatIsNotDeployedIsOneLine() {
    ClusterPlacement elsewhere = new ClusterPlacement(client, "other");
    PlannerException e = assertThrows(PlannerException.class, () -> elsewhere.current(STAGES));
    assertTrue(e.getMessage().startsWith("no Deployment runs stage 'producer' in namespace other"), e.getMessage());
  }

  static PipelineManifests colocated(String placement) {
    return THESIS.manifests(THESIS.placement(placement), ManifestOptions.builder().imageTag("1.0").colocate(true)
        .build());
  }

  private List<String> containers(String deployment) {
    return deployment(deployment).getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getName())
        .toList();
  }

  @Test
  void coLocatedMovesChangeTheGroupsTheStageLeavesAndJoinsAndNoService() {
    client.apps().deployments().inAnyNamespace().delete();
    client.services().inAnyNamespace().delete();
    for (HasMetadata resource : colocated("EESS").all()) {
      client.resource(resource).createOr(r -> r.update());
    }
    ClusterPlacement cluster = new ClusterPlacement(client, "edgepipe");
    assertTrue(cluster.colocated());
    assertEquals("EESS", cluster.current(STAGES).letters());
    List<io.fabric8.kubernetes.api.model.Service> services = client.services().inNamespace("edgepipe").list().getItems();

    assertEquals(List.of("conv"), cluster.move(colocated("ESSS")));
    assertEquals("ESSS", cluster.current(STAGES).letters());
    assertEquals(List.of("producer"), containers("edge-group"));
    assertEquals(List.of("conv", "relu", "maxpool"), containers("server-group"));
    assertEquals(services, client.services().inNamespace("edgepipe").list().getItems(), "Services untouched");

    assertEquals(List.of("conv", "relu", "maxpool"), cluster.move(colocated("EEEE")));
    assertEquals(List.of("producer", "conv", "relu", "maxpool"), containers("edge-group"));
    assertEquals(null, deployment("server-group"), "a group left empty is deleted");
    assertEquals("EEEE", cluster.current(STAGES).letters());

    assertEquals(List.of("relu", "maxpool"), cluster.move(colocated("EESS")));
    assertEquals(List.of("relu", "maxpool"), containers("server-group"), "a group a tier lacked is created");
    assertEquals("EESS", client.configMaps().inNamespace("edgepipe").withName("pipeline-spec").get().getMetadata()
        .getAnnotations().get("edgepipe.io/placement"));
  }

  @Test
  void aMoveKeepsTheDeployedLayout() {
    ClusterPlacement cluster = new ClusterPlacement(client, "edgepipe");
    assertTrue(!cluster.colocated());
    PlannerException e = assertThrows(PlannerException.class, () -> cluster.move(colocated("ESSS")));
    assertTrue(e.getMessage().contains("one Pod per stage") && e.getMessage().contains("--colocate"), e.getMessage());
  }
}
