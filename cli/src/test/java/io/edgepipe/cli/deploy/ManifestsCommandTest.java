package io.edgepipe.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.CliRunner;
import io.edgepipe.cli.CliRunner.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests whose Secrets cannot be made are refused; with `pipeline certs`' folder, the kustomization makes them. */
class ManifestsCommandTest {
  @TempDir
  Path dir;

  @Test
  void mountedSecretsComeFromTheCertsFolder() throws Exception {
    Path out = dir.resolve("m");
    Outcome missing = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "--tls", "-o", out.toString());
    assertEquals(2, missing.code(), missing.out() + missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());
    assertTrue(missing.err().contains("pass --secrets-from DIR"), missing.err());
    assertFalse(Files.exists(out), "nothing written");

    Path certs = dir.resolve("certs");
    assertEquals(0, CliRunner.pipeline("certs", "--out", certs.toString()).code());
    Outcome ok = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml", "--tls",
        "--secrets-from", certs.toString(), "-o", out.toString());
    assertEquals(0, ok.code(), ok.err());
    Path written = out.resolve("thesis-EESS");
    assertTrue(ok.out().contains("kubectl apply -k " + written), ok.out());
    String kustomization = Files.readString(written.resolve("kustomization.yaml"));
    assertTrue(kustomization.contains("name: \"relu-tls\""), kustomization);
    assertEquals(Files.readString(certs.resolve("relu-key.pem")), Files.readString(written.resolve("secrets/relu-tls/tls.key")));

    // written again without TLS: the secret copies go with the manifests that used them
    assertEquals(0, CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "-o", out.toString()).code());
    assertFalse(Files.exists(written.resolve("secrets")));
  }

  @Test
  void aDryRunDeployNamesTheSecretsWithoutPrintingThem() throws Exception {
    Path certs = dir.resolve("certs");
    assertEquals(0, CliRunner.pipeline("certs", "--out", certs.toString()).code());
    Outcome r = CliRunner.pipeline("deploy", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml", "--tls",
        "--secrets-from", certs.toString(), "--dry-run");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("# Secret conv-tls (made from local files; not printed)"), r.out());
    assertFalse(r.out().contains("PRIVATE KEY"), r.out());
    Outcome missing = CliRunner.pipeline("deploy", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml", "--tls",
        "--dry-run");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("pass --secrets-from DIR"), missing.err());
  }

  @Test
  void colocateWritesAPodPerTierAndRefusesReplicasInOneLine() throws Exception {
    Outcome r = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "--colocate", "-o", dir.toString());
    assertEquals(0, r.code(), r.err());
    Path written = dir.resolve("thesis-EESS");
    assertTrue(Files.exists(written.resolve("edge-group.yaml")) && Files.exists(written.resolve("server-group.yaml")));
    assertFalse(Files.exists(written.resolve("conv.yaml")));
    String edge = Files.readString(written.resolve("edge-group.yaml"));
    assertTrue(edge.contains("EDGEPIPE_SHM_DIR") && edge.contains("medium: \"Memory\""), edge);
    assertTrue(edge.contains("127.0.0.1:50101"), edge);
    Outcome refused = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "--colocate", "--replicas", "relu=2", "-o", dir.resolve("x").toString());
    assertEquals(2, refused.code(), refused.out() + refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
    assertTrue(refused.err().contains("--colocate"), refused.err());
  }

  /**
   * A model spec: one Deployment per partition service, the ONNX file in model.yaml, and a deployed
   * spec that, with the file where the pods mount it, loads to the same chain of services.
   */
  @Test
  void aModelSpecCarriesItsModelAndASpecThatReadsItFromTheVolume() throws Exception {
    Path onnx = Path.of("../data/models/blazeface-front-128.onnx");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(onnx), "needs " + onnx + ": run scripts/fetch-models.sh");
    // the shipped spec names its model relative to the checkout's root; these tests run in cli/
    Path spec = dir.resolve("blazeface.yaml");
    Files.writeString(spec, Files.readString(Path.of("../pipelines/blazeface.yaml"))
        .replace("file: data/models/", "file: " + onnx.toAbsolutePath().getParent() + "/"));
    Outcome r = CliRunner.pipeline("manifests", "--placement", "EES", "--spec", spec.toString(), "-o", dir.toString());
    assertEquals(0, r.code(), r.err());
    Path written = dir.resolve("blazeface-EES");
    assertTrue(r.out().contains("kubectl apply --server-side -k " + written), r.out());
    assertTrue(Files.exists(written.resolve("blazeface-c0-c40.yaml")) && Files.exists(written.resolve("blazeface-c40-c93.yaml")));
    assertTrue(Files.readString(written.resolve("blazeface-c0-c40.yaml")).contains("edgepipe-stage-model:"));

    // what a pod sees: the spec from the ConfigMap, the model where the volume puts it
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    String deployedSpec = yaml.readTree(Files.readString(written.resolve("configmap.yaml")).replaceFirst("(?s)^.*?---\n", ""))
        .path("data").path("pipeline.yaml").asText();
    byte[] model = java.util.Base64.getDecoder().decode(yaml.readTree(Files.readString(written.resolve("model.yaml"))
        .replaceFirst("(?s)^.*?---\n", "")).path("binaryData").path("blazeface-front-128.onnx").asText());
    org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(onnx), model);
    Path volume = Files.createDirectories(dir.resolve("volume"));
    Files.write(volume.resolve("blazeface-front-128.onnx"), model);
    assertTrue(deployedSpec.contains("file: " + io.edgepipe.planner.manifest.ModelFile.DIR + "/blazeface-front-128.onnx"),
        deployedSpec);
    Path podSpec = dir.resolve("pipeline.yaml");
    Files.writeString(podSpec, deployedSpec.replace(io.edgepipe.planner.manifest.ModelFile.DIR, volume.toString()));
    assertEquals(io.edgepipe.launcher.options.SpecOption.load(spec).layers().stream().map(l -> l.name()).toList(),
        io.edgepipe.launcher.options.SpecOption.load(podSpec).layers().stream().map(l -> l.name()).toList());

    Outcome pvc = CliRunner.pipeline("manifests", "--placement", "ESS", "--spec", spec.toString(), "--model-pvc", "models",
        "-o", dir.toString());
    assertEquals(0, pvc.code(), pvc.err());
    assertFalse(Files.exists(dir.resolve("blazeface-ESS/model.yaml")), "the model is on the claim");
    assertTrue(Files.readString(dir.resolve("blazeface-ESS/producer.yaml")).contains("claimName: \"models\""));
    Outcome notAModel = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "--model-pvc", "models", "-o", dir.toString());
    assertEquals(2, notAModel.code());
    assertEquals(1, notAModel.err().strip().lines().count(), notAModel.err());
  }

  @Test
  void aCameraProducerGetsItsDevice() throws Exception {
    Outcome r = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "--source", "camera:/dev/video0", "-o", dir.toString());
    assertEquals(0, r.code(), r.err());
    String producer = Files.readString(dir.resolve("thesis-EESS/producer.yaml"));
    assertTrue(producer.contains("# Exception to the restricted Pod Security profile"), producer);
    assertTrue(producer.contains("path: \"/dev/video0\"") || producer.contains("path: /dev/video0"), producer);
    Outcome plugin = CliRunner.pipeline("manifests", "--placement", "EESS", "--spec", "../pipelines/thesis.yaml",
        "--source", "camera:/dev/video0", "--camera-resource", "akri.sh/akri-usb-video", "-o", dir.toString());
    assertEquals(0, plugin.code(), plugin.err());
    String viaPlugin = Files.readString(dir.resolve("thesis-EESS/producer.yaml"));
    assertTrue(viaPlugin.contains("akri.sh/akri-usb-video"), viaPlugin);
    assertFalse(viaPlugin.contains("hostPath"), viaPlugin);
  }
}
