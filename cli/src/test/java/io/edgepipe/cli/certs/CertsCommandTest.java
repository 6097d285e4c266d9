package io.edgepipe.cli.certs;

import io.edgepipe.harness.EphemeralTls;

import io.edgepipe.cli.CliRunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.Main;
import io.edgepipe.runtime.tls.TlsFiles;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import io.edgepipe.cli.CliRunner.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pipeline certs` as a user types it, and the throwaway certificates of `pipeline run --tls`. */
class CertsCommandTest {
  @TempDir
  Path tmp;


  @Test
  void writesCaAndServiceCertificatesSecretsAndTokensWithoutPrintingSecrets() throws Exception {
    Path pki = tmp.resolve("pki");
    Path secrets = tmp.resolve("secrets");
    Outcome r = CliRunner.pipeline("certs", "--out", pki.toString(), "-n", "lab", "--stages", "producer,conv,vgpu-backend",
        "--manifests", secrets.toString(), "--vgpu-tenants", "conv");
    assertEquals(0, r.code(), r.out() + r.err());
    for (String f : List.of("ca.pem", "ca-key.pem", "producer.pem", "producer-key.pem", "conv.pem", "conv-key.pem",
        "vgpu-backend.pem", "vgpu-backend-key.pem", "vgpu-tokens", "vgpu-token-conv", ".gitignore")) {
      assertTrue(Files.exists(pki.resolve(f)), f);
    }
    for (String f : List.of("ca-key.pem", "conv-key.pem", "vgpu-tokens", "vgpu-token-conv")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve(f))), f);
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pki)));
    // each service's files load as a TLS identity signed by the CA
    TlsFiles conv = TlsFiles.of(pki.resolve("conv.pem"), pki.resolve("conv-key.pem"), pki.resolve("ca.pem"), Map.of());
    assertEquals(conv, conv.checked());
    X509Certificate cert = read(pki.resolve("vgpu-backend.pem"));
    assertTrue(cert.getSubjectAlternativeNames().stream()
        .anyMatch(san -> san.get(1).equals("vgpu-backend.lab.svc.cluster.local")));
    // the kubectl hints name the Secrets the manifests mount
    assertTrue(r.out().contains("kubectl -n lab create secret generic conv-tls --type=kubernetes.io/tls "
        + "--from-file=tls.crt=" + pki.resolve("conv.pem")), r.out());
    assertTrue(r.out().contains("create secret generic vgpu-tokens --from-file=tokens="), r.out());
    assertTrue(r.out().contains("create secret generic vgpu-client-tokens --from-file=conv="), r.out());
    // tokens: in files, never on the terminal
    String token = Files.readString(pki.resolve("vgpu-token-conv"));
    assertTrue(token.length() >= 40, "32 random bytes");
    assertFalse(r.out().contains(token) || r.err().contains(token), "a token was printed");
    assertEquals("conv:" + token, Files.readAllLines(pki.resolve("vgpu-tokens")).get(1));
    // Secrets as YAML
    Secret tls = Serialization.unmarshal(Files.readString(secrets.resolve("conv-tls.yaml")), Secret.class);
    assertEquals("kubernetes.io/tls", tls.getType());
    assertEquals("lab", tls.getMetadata().getNamespace());
    assertEquals(Files.readString(pki.resolve("conv.pem")), decode(tls, "tls.crt"));
    assertEquals(Files.readString(pki.resolve("conv-key.pem")), decode(tls, "tls.key"));
    assertEquals(Files.readString(pki.resolve("ca.pem")), decode(tls, "ca.crt"));
    Secret clients = Serialization.unmarshal(Files.readString(secrets.resolve("vgpu-client-tokens.yaml")), Secret.class);
    assertEquals(token, decode(clients, "conv"));
    String kustomization = Files.readString(secrets.resolve("kustomization.yaml"));
    for (String f : List.of("producer-tls.yaml", "conv-tls.yaml", "vgpu-backend-tls.yaml", "vgpu-tokens.yaml",
        "vgpu-client-tokens.yaml")) {
      assertTrue(kustomization.contains(f), kustomization);
    }
    assertTrue(Files.readString(secrets.resolve(".gitignore")).contains("*"));
  }

  @Test
  void anExistingCaIsReusedUnlessNewCaIsAsked() throws Exception {
    Path pki = tmp.resolve("pki");
    assertEquals(0, CliRunner.pipeline("certs", "--out", pki.toString(), "--stages", "conv").code());
    byte[] ca = Files.readAllBytes(pki.resolve("ca.pem"));
    Outcome again = CliRunner.pipeline("certs", "--out", pki.toString(), "--stages", "relu");
    assertEquals(0, again.code());
    assertTrue(again.out().contains("using the existing CA"), again.out());
    assertEquals(new String(ca, StandardCharsets.US_ASCII), Files.readString(pki.resolve("ca.pem")));
    TlsFiles.of(pki.resolve("relu.pem"), pki.resolve("relu-key.pem"), pki.resolve("ca.pem"), Map.of()).checked();
    TlsFiles.of(pki.resolve("conv.pem"), pki.resolve("conv-key.pem"), pki.resolve("ca.pem"), Map.of()).checked();
    assertEquals(0, CliRunner.pipeline("certs", "--out", pki.toString(), "--stages", "relu", "--new-ca").code());
    assertNotEquals(new String(ca, StandardCharsets.US_ASCII), Files.readString(pki.resolve("ca.pem")));
  }

  @Test
  void badNamesAreOneLineErrors() {
    Outcome r = CliRunner.pipeline("certs", "--out", tmp.resolve("x").toString(), "--stages", "Conv_1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--stages 'Conv_1' is not a DNS label"), r.err());
  }

  @Test
  void ephemeralCertificatesServeEachServiceAndAreDeletedOnClose() throws Exception {
    Path dir;
    try (EphemeralTls tls = EphemeralTls.create(List.of("producer", "conv", "sink"))) {
      dir = tls.dir();
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
      assertFalse(Files.exists(dir.resolve("ca-key.pem")), "the CA key is never written");
      TlsFiles conv = tls.forService("conv").checked();
      assertEquals(tls.forService("producer").ca(), conv.ca());
      X509Certificate cert = read(conv.cert());
      assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("127.0.0.1")));
      assertTrue(cert.getNotAfter().getTime() - System.currentTimeMillis() <= 86_400_000L + 60_000L, "a day at most");
      assertEquals(List.of("--tls-cert", conv.cert().toString(), "--tls-key", conv.key().toString(), "--tls-ca",
          conv.ca().toString()), conv.asArgs());
      assertThrows(IllegalArgumentException.class, () -> tls.forService("relu"));
    }
    assertFalse(Files.exists(dir), "deleted on close");
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (var in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
