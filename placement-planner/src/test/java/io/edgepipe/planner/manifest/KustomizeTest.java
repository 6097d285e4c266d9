package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written folder builds with kubectl's kustomize, offline; skipped where kubectl is absent. */
public class KustomizeTest {
  @TempDir
  Path root;

  public static boolean kubectlOnPath() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void kubectlKustomizeAcceptsTheFolder() throws Exception {
    assumeTrue(kubectlOnPath(), "kubectl is not on PATH: skipping the kustomize check");
    Path dir = ManifestWriter.write(ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().replicas("relu", 2)
        .vgpuBackendImage("reg/vgpu:1").build()), root);
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, kubectl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, kubectl.exitValue(), out);
    assertEquals(5, count(out, "kind: Deployment"), out);
    assertEquals(5, count(out, "kind: Service\n"), out);
    assertEquals(1, count(out, "kind: Namespace"), out);
    assertEquals(1, count(out, "kind: ConfigMap"), out);
    assertEquals(6, count(out, "kind: NetworkPolicy"), out); // default deny, vgpu-backend and one per stage
  }

  @Test
  void kubectlKustomizeAcceptsTheTlsFolder() throws Exception {
    assumeTrue(kubectlOnPath(), "kubectl is not on PATH: skipping the kustomize check");
    Path dir = ManifestWriter.write(ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder()
        .vgpuBackendImage("reg/vgpu:1").tls(true).metricsFrom("10.42.0.0/16").build()), root);
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, kubectl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, kubectl.exitValue(), out);
    for (String workload : new String[] {"producer", "conv", "relu", "maxpool", "vgpu-backend"}) {
      assertTrue(out.contains(workload + "-tls"), workload + " mounts its TLS Secret:\n" + out);
    }
    assertEquals(6, count(out, "kind: NetworkPolicy"), out);
  }

  @Test
  void kubectlKustomizeAcceptsTheCoLocatedFolder() throws Exception {
    assumeTrue(kubectlOnPath(), "kubectl is not on PATH: skipping the kustomize check");
    Path dir = ManifestWriter.write(ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().colocate(true)
        .build()), root);
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, kubectl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, kubectl.exitValue(), out);
    assertEquals(2, count(out, "kind: Deployment"), out); // edge-group, server-group
    assertEquals(4, count(out, "kind: Service\n"), out);  // one per stage
    assertEquals(5, count(out, "kind: NetworkPolicy"), out);
    assertEquals(2, count(out, "medium: Memory"), out);
  }

  @Test
  void kubectlKustomizeAcceptsAModelFolder() throws Exception {
    assumeTrue(kubectlOnPath(), "kubectl is not on PATH: skipping the kustomize check");
    Path dir = ManifestWriter.write(ModelManifestTest.model("EES", ManifestOptions.builder().colocate(true).build()),
        root);
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
    String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, kubectl.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, kubectl.exitValue(), out);
    assertEquals(2, count(out, "kind: ConfigMap"), "the spec and the model");
    assertTrue(out.contains("binaryData:\n  tiny.onnx: "), "the model survives kustomize");
    // the ConfigMap's name and name label, and one volume per group
    assertEquals(4, count(out, "name: pipeline-model\n"), out);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
