package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A camera producer gets its device with the least privilege that works; mounted Secrets are made, not assumed. */
class CameraAndSecretsTest {
  @TempDir
  Path root;

  private static PodSpec pod(PipelineManifests m, String name) {
    return ManifestGeneratorTest.workload(m, name).deployment().getSpec().getTemplate().getSpec();
  }

  @Test
  void aDevicePluginCameraStaysWithinTheRestrictedProfile() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().source("camera:/dev/video0")
        .cameraResource("akri.sh/akri-usb-video=1").build());
    Container producer = ManifestGeneratorTest.container(m, "producer");
    assertEquals("1", producer.getResources().getLimits().get("akri.sh/akri-usb-video").toString());
    assertEquals(List.of(44L), pod(m, "producer").getSecurityContext().getSupplementalGroups());
    assertTrue(pod(m, "producer").getVolumes().stream().noneMatch(v -> v.getHostPath() != null));
    assertFalse(producer.getSecurityContext().getPrivileged());
    assertFalse(producer.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals("restricted", m.namespace().getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
    assertFalse(ManifestWriter.files(m).get("producer.yaml").contains("Exception"));
  }

  @Test
  void aHostPathCameraStatesItsException() throws Exception {
    PipelineManifests m = ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().source("camera:/dev/video2")
        .cameraGroup(985).build());
    Volume camera = pod(m, "producer").getVolumes().stream().filter(v -> v.getHostPath() != null).findFirst().orElseThrow();
    assertEquals("/dev/video2", camera.getHostPath().getPath());
    assertEquals("CharDevice", camera.getHostPath().getType());
    Container producer = ManifestGeneratorTest.container(m, "producer");
    assertTrue(producer.getVolumeMounts().stream().anyMatch(v -> v.getMountPath().equals("/dev/video2")));
    assertTrue(producer.getSecurityContext().getPrivileged());
    assertTrue(producer.getSecurityContext().getRunAsNonRoot()); // still not root
    assertEquals(List.of(985L), pod(m, "producer").getSecurityContext().getSupplementalGroups());
    String why = ManifestGeneratorTest.workload(m, "producer").deployment().getMetadata().getAnnotations()
        .get(CameraAccess.EXCEPTION_ANNOTATION);
    assertTrue(why.contains("hostPath /dev/video2") && why.contains("--camera-resource"), why);
    assertTrue(ManifestWriter.files(m).get("producer.yaml")
        .contains("# Exception to the restricted Pod Security profile: privileged producer with hostPath /dev/video2"));
    assertEquals("privileged", m.namespace().getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
    assertEquals("restricted", m.namespace().getMetadata().getLabels().get("pod-security.kubernetes.io/warn"));
    // only the producer gets it
    assertFalse(ManifestGeneratorTest.container(m, "conv").getSecurityContext().getPrivileged());
    assertTrue(pod(m, "conv").getVolumes().stream().noneMatch(v -> v.getHostPath() != null));
    assertTrue(assertThrows(ManifestException.class, () -> ManifestGeneratorTest.thesis("EESS",
        ManifestOptions.builder().source("camera:/dev/video0").cameraResource("video").build())).getMessage()
        .contains("DOMAIN/NAME"));
  }

  /** What `pipeline certs --out DIR --vgpu-tenants conv` leaves (contents are placeholders here). */
  private Path certsFolder(List<String> services, List<String> tenants) throws Exception {
    Path dir = Files.createDirectories(root.resolve("certs"));
    Files.writeString(dir.resolve("ca.pem"), "CA");
    for (String s : services) {
      Files.writeString(dir.resolve(s + ".pem"), "CERT " + s);
      Files.writeString(dir.resolve(s + "-key.pem"), "KEY " + s);
    }
    StringBuilder tokens = new StringBuilder();
    for (String t : tenants) {
      Files.writeString(dir.resolve("vgpu-token-" + t), "token-" + t);
      tokens.append(t).append(":token-").append(t).append('\n');
    }
    Files.writeString(dir.resolve("vgpu-tokens"), tokens.toString());
    return dir;
  }

  private static PipelineManifests tlsWithBackend() throws Exception {
    return ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().vgpuBackendImage("reg/vgpu:1").tls(true).build());
  }

  @Test
  void theMountedSecretsAreListedWithTheirFiles() throws Exception {
    PipelineManifests m = tlsWithBackend();
    assertEquals(List.of("vgpu-tokens", "vgpu-backend-tls", "producer-tls", "conv-tls", "vgpu-client-tokens",
        "relu-tls", "maxpool-tls"), m.secretsNeeded().stream().map(SecretSources.Needed::name).toList());
    SecretSources.Needed clients = m.secretsNeeded().get(4);
    assertEquals(java.util.Map.of("conv", "vgpu-token-conv"), clients.files()); // the edge stage on the remote vGPU
    ManifestException none = assertThrows(ManifestException.class, () -> SecretSources.requireFiles(m, null));
    assertTrue(none.getMessage().startsWith("these manifests mount the Secrets [vgpu-tokens, vgpu-backend-tls"), none.getMessage());
    Path partial = certsFolder(List.of("producer", "conv", "relu", "maxpool", "vgpu-backend"), List.of());
    Files.delete(partial.resolve("vgpu-token-conv").getParent().resolve("vgpu-tokens"));
    assertTrue(assertThrows(ManifestException.class, () -> SecretSources.requireFiles(m, partial)).getMessage()
        .contains("vgpu-tokens (key tokens), which is missing"));
    assertTrue(SecretSources.requireNothing(ManifestGeneratorTest.thesis("EESS", ManifestOptions.defaults())));
  }

  @Test
  void deployCreatesTheSecretsFromLocalFiles() throws Exception {
    Path certs = certsFolder(List.of("producer", "conv", "relu", "maxpool", "vgpu-backend"), List.of("conv"));
    PipelineManifests m = tlsWithBackend().withSecrets(certs);
    List<Secret> secrets = m.all().stream().filter(Secret.class::isInstance).map(Secret.class::cast).toList();
    assertEquals(7, secrets.size());
    Secret conv = secrets.stream().filter(s -> s.getMetadata().getName().equals("conv-tls")).findFirst().orElseThrow();
    assertEquals("kubernetes.io/tls", conv.getType());
    assertEquals("KEY conv", new String(Base64.getDecoder().decode(conv.getData().get("tls.key")), StandardCharsets.UTF_8));
    assertEquals(2, m.all().indexOf(secrets.get(0)), "Secrets come before the workloads that mount them");
    String printed = ManifestWriter.toYaml(m);
    assertTrue(printed.contains("# Secret conv-tls (made from local files; not printed)"));
    assertFalse(printed.contains(Base64.getEncoder().encodeToString("KEY conv".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void kubectlApplyKCreatesTheSecretsThroughTheSecretGenerator() throws Exception {
    Path certs = certsFolder(List.of("producer", "conv", "relu", "maxpool", "vgpu-backend"), List.of("conv"));
    Path dir = ManifestWriter.write(tlsWithBackend(), root.resolve("out"), certs);
    String kustomization = Files.readString(dir.resolve(ManifestWriter.KUSTOMIZATION));
    assertTrue(kustomization.contains("secretGenerator"), kustomization);
    assertTrue(kustomization.contains("tls.key=secrets/conv-tls/tls.key"), kustomization);
    assertEquals("KEY conv", Files.readString(dir.resolve("secrets/conv-tls/tls.key")));
    assertTrue(Files.readString(dir.resolve("secrets/.gitignore")).contains("*"));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("secrets/conv-tls/tls.key"))));
    assumeTrue(KustomizeTest.kubectlOnPath(), "kubectl is not on PATH: skipping the kustomize build");
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, kubectl.exitValue(), out);
    assertEquals(7, out.split("kind: Secret\n", -1).length - 1, out);
    for (String name : List.of("conv-tls", "vgpu-tokens", "vgpu-client-tokens")) {
      assertTrue(out.contains("  name: " + name + "\n"), name + " generated, unsuffixed:\n" + out);
    }
    assertTrue(out.contains(Base64.getEncoder().encodeToString("KEY conv".getBytes(StandardCharsets.UTF_8))), out);
  }
}
