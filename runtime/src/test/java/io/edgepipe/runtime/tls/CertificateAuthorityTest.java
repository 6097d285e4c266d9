package io.edgepipe.runtime.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA and service certificates: names, validity, key usage, chain, files. */
class CertificateAuthorityTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static CertificateAuthority ca;

  @BeforeAll
  static void makeCa() {
    ca = CertificateAuthority.generate("test CA", Duration.ofDays(30));
  }

  @Test
  void serviceCertificateNamesTheServiceInTheClusterAndOnLoopback() throws Exception {
    X509Certificate cert = ca.issueService("conv", "edgepipe", Duration.ofDays(1)).certificate();
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      int type = (Integer) san.get(0);
      if (type == 2) {
        dns.add((String) san.get(1));
      } else if (type == 7) {
        ips.add((String) san.get(1));
      }
    }
    assertEquals(List.of("conv", "conv.edgepipe", "conv.edgepipe.svc", "conv.edgepipe.svc.cluster.local", "localhost"),
        dns);
    assertTrue(ips.contains("127.0.0.1"), ips.toString());
    assertTrue(ips.stream().anyMatch(ip -> ip.equals("0:0:0:0:0:0:0:1") || ip.equals("::1")), ips.toString());
    assertTrue(cert.getSubjectX500Principal().getName().contains("CN=conv"));
  }

  @Test
  void otherNamespaceChangesTheClusterNames() {
    assertEquals(List.of("relu", "relu.lab", "relu.lab.svc", "relu.lab.svc.cluster.local", "localhost"),
        CertificateAuthority.serviceDnsNames("relu", "lab"));
  }

  @Test
  void leafIsAnEndEntityForServerAndClientAuth() throws Exception {
    X509Certificate cert = ca.issueService("relu", "edgepipe", Duration.ofDays(1)).certificate();
    assertEquals(-1, cert.getBasicConstraints(), "not a CA");
    boolean[] usage = cert.getKeyUsage();
    assertTrue(usage[0], "digitalSignature");
    assertFalse(usage[5], "no keyCertSign");
    assertFalse(usage[6], "no cRLSign");
    assertTrue(cert.getCriticalExtensionOIDs().contains("2.5.29.15"), "key usage is critical");
    assertEquals(Set.of(SERVER_AUTH, CLIENT_AUTH), Set.copyOf(cert.getExtendedKeyUsage()));
    assertEquals("SHA256withECDSA", cert.getSigAlgName());
    assertEquals("EC", cert.getPublicKey().getAlgorithm());
  }

  @Test
  void caCertificateMaySignOnlyLeaves() {
    X509Certificate c = ca.certificate();
    assertEquals(0, c.getBasicConstraints(), "CA with path length 0");
    boolean[] usage = c.getKeyUsage();
    assertTrue(usage[5], "keyCertSign");
    assertTrue(usage[6], "cRLSign");
    assertFalse(usage[0], "a CA key does not do TLS");
    assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal(), "self-signed");
  }

  @Test
  void validityStartsSlightlyBackdatedAndLastsAsAsked() throws Exception {
    Instant before = Instant.now();
    X509Certificate cert = ca.issueService("maxpool", "edgepipe", Duration.ofDays(7)).certificate();
    Instant after = Instant.now();
    cert.checkValidity();
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    assertTrue(!notBefore.isAfter(before.minus(CertificateAuthority.BACKDATE).plusSeconds(1)), notBefore.toString());
    assertTrue(!notAfter.isBefore(before.plus(Duration.ofDays(7)).minusSeconds(1)), notAfter.toString());
    assertTrue(!notAfter.isAfter(after.plus(Duration.ofDays(7)).plusSeconds(1)), notAfter.toString());
  }

  @Test
  void leafNeverOutlivesItsCa() {
    X509Certificate cert = ca.issueService("conv", "edgepipe", Duration.ofDays(3650)).certificate();
    assertTrue(!cert.getNotAfter().after(ca.certificate().getNotAfter()));
  }

  @Test
  void leafChainsToTheCaAndNotToAnother() throws Exception {
    X509Certificate cert = ca.issueService("conv", "edgepipe", Duration.ofDays(1)).certificate();
    validate(cert, ca.certificate());
    CertificateAuthority other = CertificateAuthority.generate("other CA", Duration.ofDays(1));
    assertThrows(CertPathValidatorException.class, () -> validate(cert, other.certificate()));
  }

  private static void validate(X509Certificate leaf, X509Certificate anchor) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(leaf)), params);
  }

  @Test
  void writesPemFilesKeysOwnerOnlyAndLoadsTheCaBack(@TempDir Path dir) throws Exception {
    ca.write(dir);
    TlsFiles files = ca.writeService(dir, "conv", "edgepipe", Duration.ofDays(1));
    assertEquals(new TlsFiles(dir.resolve("conv.pem"), dir.resolve("conv-key.pem"), dir.resolve("ca.pem")), files);
    assertTrue(Files.readString(files.cert()).startsWith("-----BEGIN CERTIFICATE-----\n"));
    assertTrue(Files.readString(files.key()).startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.key())));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))));
    CertificateAuthority again = CertificateAuthority.load(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
    assertArrayEquals(ca.certificate().getEncoded(), again.certificate().getEncoded());
    // the loaded CA's key signs leaves the original certificate verifies
    again.issueService("relu", "edgepipe", Duration.ofDays(1)).certificate().verify(ca.certificate().getPublicKey());
    Collection<? extends java.security.cert.Certificate> parsed;
    try (var in = Files.newInputStream(files.cert())) {
      parsed = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    assertEquals(1, parsed.size());
    assertThrows(IllegalArgumentException.class,
        () -> CertificateAuthority.load(files.cert(), files.key()), "a leaf is not a CA");
  }

  @Test
  void tlsFilesFromFlagsOrEnvironment(@TempDir Path dir) {
    TlsFiles written = ca.writeService(dir, "conv", "edgepipe", Duration.ofDays(1));
    assertNull(TlsFiles.of(null, null, null, Map.of()), "nothing given: plaintext");
    TlsFiles fromEnv = TlsFiles.of(null, null, null, Map.of(TlsFiles.CERT_ENV, written.cert().toString(),
        TlsFiles.KEY_ENV, written.key().toString(), TlsFiles.CA_ENV, written.ca().toString()));
    assertEquals(written, fromEnv);
    TlsFiles flagWins = TlsFiles.of(written.cert(), null, null, Map.of(TlsFiles.CERT_ENV, "/nope",
        TlsFiles.KEY_ENV, written.key().toString(), TlsFiles.CA_ENV, written.ca().toString()));
    assertEquals(written, flagWins);
    IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
        () -> TlsFiles.of(written.cert(), null, null, Map.of()));
    assertTrue(half.getMessage().contains("--tls-key") && half.getMessage().contains("--tls-ca"), half.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> TlsFiles.of(dir.resolve("nope.pem"), written.key(), written.ca(), Map.of()));
    assertTrue(missing.getMessage().contains("nope.pem"), missing.getMessage());
  }
}
