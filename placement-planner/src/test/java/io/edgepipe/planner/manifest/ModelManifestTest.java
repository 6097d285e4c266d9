package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.planner.StageChain;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Manifests of a model spec: a Deployment per partition service (named by its cut points) running
 * the model image, and the ONNX file in the ConfigMap pipeline-model (or on a claim), mounted
 * read-only beside the spec in every container that reads the spec.
 */
public class ModelManifestTest {
  /** A 600 KB stand-in for an ONNX file: the manifests carry bytes, whatever they are. */
  public static final byte[] MODEL = new byte[600_000];
  static final String SPEC_TEXT = "name: tiny\nmodel: {file: /etc/edgepipe-model/tiny.onnx}\n# (the chain below)\n";

  static {
    new Random(7).nextBytes(MODEL);
  }

  /** The chain a model spec with cuts 0..40..93 becomes: producer, two partition services. */
  static PipelineSpec twoPartitions() {
    List<LayerSpec> layers = List.of(
        new LayerSpec("tiny-c0-c40", LayerSpec.PARTITION, 34_816, 0, 0, 0, 0, "/tmp/tiny.yaml", 0, DType.F32),
        new LayerSpec("tiny-c40-c93", LayerSpec.PARTITION, 15_360, 0, 0, 0, 0, "/tmp/tiny.yaml", 0, DType.F32));
    return new PipelineSpec("tiny", new TensorShape(3, 128, 128), DType.U8, PipelineSpec.DEFAULT_MAX_FRAME_BYTES, 0,
        Delivery.RELIABLE, false, layers);
  }

  public static PipelineManifests model(String placement, ModelFile model, ManifestOptions options) {
    PipelineSpec spec = twoPartitions();
    return ManifestGenerator.generate(spec, SPEC_TEXT, model, Placement.parse(placement, StageChain.of(spec).stages()),
        options);
  }

  public static PipelineManifests model(String placement, ManifestOptions options) {
    return model(placement, ModelFile.inConfigMap("tiny.onnx", MODEL), options);
  }

  @Test
  void eachPartitionIsADeploymentOfTheModelImageAndTheModelIsAConfigMap() {
    PipelineManifests m = model("EES", ManifestOptions.builder().imageTag("1.0").build());
    assertEquals(List.of("producer", "tiny-c0-c40", "tiny-c40-c93"),
        m.workloads().stream().map(Workload::name).toList());
    assertEquals("edgepipe/edgepipe-stage-model:1.0-edge", ManifestGeneratorTest.container(m, "tiny-c0-c40").getImage());
    assertEquals("edgepipe/edgepipe-stage-model:1.0", ManifestGeneratorTest.container(m, "tiny-c40-c93").getImage());
    assertEquals("edgepipe/edgepipe-stage-producer:1.0-edge", ManifestGeneratorTest.container(m, "producer").getImage());
    assertEquals(List.of("stage", "tiny-c0-c40", "--spec", "/etc/edgepipe/pipeline.yaml", "--port", "50051",
        "--metrics-port", "9090", "--next", "tiny-c40-c93:50051", "--device", "cpu"),
        ManifestGeneratorTest.container(m, "tiny-c0-c40").getArgs());

    assertEquals(ModelFile.CONFIG_MAP, m.modelConfigMap().getMetadata().getName());
    assertArrayEquals(MODEL, Base64.getDecoder().decode(m.modelConfigMap().getBinaryData().get("tiny.onnx")));
    assertTrue(m.all().indexOf(m.modelConfigMap()) < m.all().indexOf(m.workloads().get(0).deployment()),
        "the model is there before any pod that mounts it");
    for (Workload w : m.workloads()) {
      PodSpec pod = w.deployment().getSpec().getTemplate().getSpec();
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(ModelFile.VOLUME)).findFirst()
          .orElseThrow(() -> new AssertionError(w.name() + " has no model volume"));
      assertEquals(ModelFile.CONFIG_MAP, volume.getConfigMap().getName(), w.name());
      assertModelMounted(pod.getContainers().get(0), w.name());
    }
  }

  @Test
  void coLocatedEveryContainerOfAGroupMountsTheModel() {
    PipelineManifests m = model("EES", ManifestOptions.builder().colocate(true).build());
    assertEquals(List.of("edge-group", "server-group"), m.workloads().stream().map(Workload::name).toList());
    for (Workload w : m.workloads()) {
      PodSpec pod = w.deployment().getSpec().getTemplate().getSpec();
      assertEquals(1, pod.getVolumes().stream().filter(v -> v.getName().equals(ModelFile.VOLUME)).count(), w.name());
      pod.getContainers().forEach(c -> assertModelMounted(c, w.name() + "/" + c.getName()));
    }
    assertEquals(List.of("producer", "tiny-c0-c40"), m.workloadOf("tiny-c0-c40").stages());
  }

  @Test
  void aModelOverAConfigMapsLimitIsRefusedNamingTheClaimFlag() {
    ManifestException e = assertThrows(ManifestException.class,
        () -> ModelFile.inConfigMap("big.onnx", new byte[ModelFile.CONFIG_MAP_LIMIT + 1]));
    assertTrue(e.getMessage().contains("--model-pvc"), e.getMessage());
    ModelFile.inConfigMap("fits.onnx", new byte[ModelFile.CONFIG_MAP_LIMIT]); // exactly the limit fits
  }

  @Test
  void onAClaimTheModelIsAReadOnlyPersistentVolumeAndNoConfigMap() {
    PipelineManifests m = model("ESS", ModelFile.onClaim("tiny.onnx", "models"), ManifestOptions.defaults());
    assertNull(m.modelConfigMap());
    assertTrue(m.all().stream().noneMatch(o -> ModelFile.CONFIG_MAP.equals(o.getMetadata().getName())));
    Volume volume = m.workloads().get(1).deployment().getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(ModelFile.VOLUME)).findFirst().orElseThrow();
    assertEquals("models", volume.getPersistentVolumeClaim().getClaimName());
    assertEquals(Boolean.TRUE, volume.getPersistentVolumeClaim().getReadOnly());
    assertEquals(ModelFile.DIR + "/tiny.onnx", ModelFile.onClaim("tiny.onnx", "models").path());
  }

  @Test
  void anotherModelRestartsThePods() {
    byte[] other = MODEL.clone();
    other[0] ^= 1;
    String before = hash(model("EES", ManifestOptions.defaults()));
    String after = hash(model("EES", ModelFile.inConfigMap("tiny.onnx", other), ManifestOptions.defaults()));
    assertNotEquals(before, after, "the pods' spec hash follows the model's bytes");
    assertEquals(before, hash(model("EES", ManifestOptions.defaults())));
  }

  @Test
  void theWrittenFolderHoldsTheModelBesideItsNoteAndSaysHowToApplyIt() {
    PipelineManifests m = model("EES", ManifestOptions.defaults());
    var files = ManifestWriter.files(m);
    assertTrue(files.get(ManifestWriter.MODEL_FILE).contains("binaryData"), "model.yaml");
    assertTrue(files.get(ManifestWriter.MODEL_FILE).contains("kubectl apply --server-side -k"), "the note");
    assertTrue(files.get(ManifestWriter.KUSTOMIZATION).contains(ManifestWriter.MODEL_FILE));
    assertEquals("kubectl apply --server-side -k out/tiny-EES",
        ManifestWriter.applyCommand(m, java.nio.file.Path.of("out/tiny-EES")));
    String dryRun = ManifestWriter.toYaml(m);
    assertTrue(dryRun.contains("# ConfigMap pipeline-model: the model's ONNX file as binaryData, sha256 "), dryRun);
    assertTrue(dryRun.length() < 40_000, "the dry run names the model instead of printing 800 KB of base64");
  }

  private static String hash(PipelineManifests m) {
    return m.workloads().get(1).deployment().getSpec().getTemplate().getMetadata().getAnnotations()
        .get(Labels.SPEC_HASH);
  }

  private static void assertModelMounted(Container c, String where) {
    VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getName().equals(ModelFile.VOLUME)).findFirst()
        .orElseThrow(() -> new AssertionError(where + " does not mount the model"));
    assertEquals(ModelFile.DIR, mount.getMountPath(), where);
    assertEquals(Boolean.TRUE, mount.getReadOnly(), where);
  }
}
