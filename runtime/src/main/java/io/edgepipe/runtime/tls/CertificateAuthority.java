package io.edgepipe.runtime.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for one deployment: it makes the CA (a self-signed, CA-only
 * certificate) and a leaf certificate per service, each usable as TLS server and TLS client
 * (mutual TLS between stages). Keys are ECDSA P-256, signatures SHA-256; files are PEM, keys
 * PKCS#8 ("BEGIN PRIVATE KEY") as gRPC's Netty transport reads them, written owner-only.
 *
 * <pre>
 *   CertificateAuthority ca = CertificateAuthority.generate("edgepipe CA", Duration.ofDays(3650));
 *   ca.write(dir);                                            // ca.pem, ca-key.pem
 *   TlsFiles conv = ca.writeService(dir, "conv", "edgepipe", Duration.ofDays(365));
 *   // conv.pem with SANs conv, conv.edgepipe, conv.edgepipe.svc, conv.edgepipe.svc.cluster.local,
 *   // localhost, 127.0.0.1, ::1
 * </pre>
 *
 * Certificates are built with BouncyCastle's builders but signed and parsed through the JDK's own
 * providers; BouncyCastle is never registered as a security provider.
 */
public final class CertificateAuthority {
  public static final String CA_CERT = "ca.pem";
  public static final String CA_KEY = "ca-key.pem";
  /** Start of validity is backdated this much, for nodes whose clocks run a little behind. */
  static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A leaf certificate and its key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Writes the certificate (PEM) and the key (PKCS#8 PEM, owner-only where the file system allows). */
    public void write(Path certFile, Path keyFile) {
      Pem.writeCertificate(certFile, certificate);
      Pem.writePrivateKey(keyFile, key);
    }
  }

  /** A new CA with a fresh key, valid from now for {@code validity}. */
  public static CertificateAuthority generate(String commonName, Duration validity) {
    KeyPair pair = newKeyPair();
    X500Principal subject = new X500Principal("CN=" + commonName + ", O=edgepipe");
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(now.plus(validity)), subject, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create a CA certificate", e);
    }
  }

  /** An existing CA from its PEM certificate and PKCS#8 key (e.g. to add a service to a deployment). */
  public static CertificateAuthority load(Path certFile, Path keyFile) {
    X509Certificate cert = Pem.readCertificate(certFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    if (cert.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(certFile + " is not a CA certificate (no basicConstraints CA:true)");
    }
    return new CertificateAuthority(cert, key);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** Writes {@value #CA_CERT} and {@value #CA_KEY} into {@code dir}. */
  public void write(Path dir) {
    createDirectories(dir);
    Pem.writeCertificate(dir.resolve(CA_CERT), certificate);
    Pem.writePrivateKey(dir.resolve(CA_KEY), key);
  }

  /** Writes only {@value #CA_CERT} (what services need to verify peers; the CA key can stay offline). */
  public Path writeCertificate(Path dir) {
    createDirectories(dir);
    Path file = dir.resolve(CA_CERT);
    Pem.writeCertificate(file, certificate);
    return file;
  }

  /**
   * The DNS names a service is reached by in a cluster and on one machine: {@code name},
   * {@code name.ns}, {@code name.ns.svc}, {@code name.ns.svc.cluster.local} and {@code localhost}.
   */
  public static List<String> serviceDnsNames(String name, String namespace) {
    Set<String> names = new LinkedHashSet<>();
    names.add(name);
    if (namespace != null && !namespace.isBlank()) {
      names.add(name + "." + namespace);
      names.add(name + "." + namespace + ".svc");
      names.add(name + "." + namespace + ".svc.cluster.local");
    }
    names.add("localhost");
    return new ArrayList<>(names);
  }

  /** Loopback addresses every service certificate carries, for embedded and testbed runs. */
  public static final List<String> LOOPBACK_IPS = List.of("127.0.0.1", "::1");

  /**
   * A leaf certificate for {@code commonName}: subject alternative names {@code dnsNames} and
   * {@code ipAddresses}, key usage digitalSignature, extended key usage serverAuth and clientAuth,
   * not a CA.
   */
  public Issued issue(String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
    KeyPair pair = newKeyPair();
    List<GeneralName> sans = new ArrayList<>();
    for (String dns : dnsNames) {
      sans.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (String ip : ipAddresses) {
      sans.add(new GeneralName(GeneralName.iPAddress, ipLiteral(ip)));
    }
    Instant now = Instant.now();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      notAfter = certificate.getNotAfter().toInstant(); // a leaf cannot outlive its CA
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate,
          serial(), Date.from(now.minus(BACKDATE)), Date.from(notAfter),
          new X500Principal("CN=" + commonName + ", O=edgepipe"), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      return new Issued(sign(b, key), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
    }
  }

  /** A service's certificate: {@link #serviceDnsNames} plus {@link #LOOPBACK_IPS}. */
  public Issued issueService(String name, String namespace, Duration validity) {
    return issue(name, serviceDnsNames(name, namespace), LOOPBACK_IPS, validity);
  }

  /**
   * Issues a service certificate and writes {@code <name>.pem} and {@code <name>-key.pem} into
   * {@code dir}, plus {@value #CA_CERT} if it is not there; returns the service's TLS files.
   */
  public TlsFiles writeService(Path dir, String name, String namespace, Duration validity) {
    createDirectories(dir);
    Path caFile = dir.resolve(CA_CERT);
    if (!Files.exists(caFile)) {
      Pem.writeCertificate(caFile, certificate);
    }
    Path certFile = dir.resolve(name + ".pem");
    Path keyFile = dir.resolve(name + "-key.pem");
    issueService(name, namespace, validity).write(certFile, keyFile);
    return new TlsFiles(certFile, keyFile, caFile);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE)
          .build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("no " + SIGNATURE + " signer", e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is part of every JDK 17", e);
    }
  }

  /** Positive, 159 random bits (RFC 5280: at most 20 octets, unpredictable). */
  private static BigInteger serial() {
    return new BigInteger(159, RANDOM).setBit(0);
  }

  private static String ipLiteral(String ip) {
    if (!ip.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("not an IP address literal: " + ip);
    }
    try {
      return InetAddress.getByName(ip).getHostAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address literal: " + ip, e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** PEM reading and writing with the JDK alone. */
  static final class Pem {
    private Pem() {}

    static void writeCertificate(Path file, X509Certificate cert) {
      try {
        write(file, "CERTIFICATE", cert.getEncoded(), false);
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }

    static void writePrivateKey(Path file, PrivateKey key) {
      if (!"PKCS#8".equals(key.getFormat())) {
        throw new IllegalStateException("expected a PKCS#8 key, got " + key.getFormat());
      }
      write(file, "PRIVATE KEY", key.getEncoded(), true);
    }

    private static void write(Path file, String type, byte[] der, boolean secret) {
      String body = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
      String text = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.deleteIfExists(file);
        if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, text);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    static X509Certificate readCertificate(Path file) {
      try (InputStream in = Files.newInputStream(file)) {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(file + " is not a PEM certificate: " + e.getMessage(), e);
      }
    }

    /** Every certificate in a PEM file (a chain or a CA bundle); at least one. */
    static List<X509Certificate> readCertificates(Path file) {
      List<X509Certificate> certs = new ArrayList<>();
      try (InputStream in = Files.newInputStream(file)) {
        for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          certs.add((X509Certificate) c);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(file + " is not a PEM certificate file: " + e.getMessage(), e);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no PEM certificate");
      }
      return certs;
    }

    static PrivateKey readPrivateKey(Path file) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
      int end = text.indexOf("-----END PRIVATE KEY-----");
      if (begin < 0 || end < begin) {
        throw new IllegalArgumentException(file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
      }
      byte[] der = java.util.Base64.getMimeDecoder().decode(
          text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
      for (String algorithm : List.of("EC", "RSA")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      throw new IllegalArgumentException(file + ": neither an EC nor an RSA PKCS#8 key");
    }
  }
}
