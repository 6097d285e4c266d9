package io.edgepipe.runtime.tls;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The PEM files of one service's mutual-TLS identity: its certificate chain, its private key
 * (PKCS#8, "BEGIN PRIVATE KEY") and the CA that signs every peer of the deployment. A service
 * with TLS files serves TLS and requires a client certificate signed by that CA; as a client it
 * presents its certificate and trusts only that CA (the server's name is checked against the
 * certificate's subject alternative names). Everywhere a {@code TlsFiles} is taken, null means
 * plaintext.
 *
 * <p>From the command line: {@code --tls-cert/--tls-key/--tls-ca}, each falling back to
 * {@value #CERT_ENV}, {@value #KEY_ENV}, {@value #CA_ENV} (see {@link #of(Path, Path, Path, Map)}).
 */
public record TlsFiles(Path cert, Path key, Path ca) {
  public static final String CERT_ENV = "EDGEPIPE_TLS_CERT";
  public static final String KEY_ENV = "EDGEPIPE_TLS_KEY";
  public static final String CA_ENV = "EDGEPIPE_TLS_CA";

  public TlsFiles {
    if (cert == null || key == null || ca == null) {
      throw new IllegalArgumentException("TLS needs all three of --tls-cert, --tls-key and --tls-ca");
    }
  }

  /**
   * The TLS files named by flags, each falling back to its environment variable; null (plaintext)
   * when none is given, an error naming what is missing when only some are.
   */
  public static TlsFiles of(Path cert, Path key, Path ca, Map<String, String> env) {
    Path c = cert != null ? cert : envPath(env, CERT_ENV);
    Path k = key != null ? key : envPath(env, KEY_ENV);
    Path a = ca != null ? ca : envPath(env, CA_ENV);
    if (c == null && k == null && a == null) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    if (c == null) {
      missing.add("--tls-cert (" + CERT_ENV + ")");
    }
    if (k == null) {
      missing.add("--tls-key (" + KEY_ENV + ")");
    }
    if (a == null) {
      missing.add("--tls-ca (" + CA_ENV + ")");
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("TLS is half configured: missing " + String.join(", ", missing));
    }
    return new TlsFiles(c, k, a).checked();
  }

  /** {@link #of(Path, Path, Path, Map)} with the process environment. */
  public static TlsFiles of(Path cert, Path key, Path ca) {
    return of(cert, key, ca, System.getenv());
  }

  private static Path envPath(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : Path.of(value.strip());
  }

  /**
   * This, after checking what would otherwise only show as a failed handshake: every file is
   * readable, the key belongs to the certificate, and the certificate is signed by (one of) the
   * CA certificate(s). Errors name the file.
   */
  public TlsFiles checked() {
    for (Path p : List.of(cert, key, ca)) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("TLS file " + p + " does not exist or is not readable");
      }
    }
    List<X509Certificate> chain = CertificateAuthority.Pem.readCertificates(cert);
    List<X509Certificate> cas = CertificateAuthority.Pem.readCertificates(ca);
    PrivateKey privateKey = CertificateAuthority.Pem.readPrivateKey(key);
    if (!matches(privateKey, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException("TLS key " + key + " does not belong to the certificate " + cert);
    }
    X509Certificate top = chain.get(chain.size() - 1);
    boolean signed = false;
    for (X509Certificate authority : cas) {
      try {
        top.verify(authority.getPublicKey());
        signed = true;
        break;
      } catch (GeneralSecurityException e) {
        // try the next CA of the bundle
      }
    }
    if (!signed) {
      throw new IllegalArgumentException("TLS certificate " + cert + " is not signed by the CA in " + ca);
    }
    return this;
  }

  private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm = "EC".equals(privateKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Server side: this service's certificate, client certificates required and checked against the CA. */
  public SslContext serverContext() {
    checked();
    try {
      return GrpcSslContexts.forServer(cert.toFile(), key.toFile())
          .trustManager(ca.toFile())
          .clientAuth(ClientAuth.REQUIRE)
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot load the TLS server identity " + this + ": " + e.getMessage(), e);
    }
  }

  /** Client side: present this service's certificate, trust only the CA. */
  public SslContext clientContext() {
    checked();
    try {
      return GrpcSslContexts.forClient()
          .keyManager(cert.toFile(), key.toFile())
          .trustManager(ca.toFile())
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot load the TLS client identity " + this + ": " + e.getMessage(), e);
    }
  }

  /**
   * The same client identity as transport-neutral gRPC credentials, for code that builds its own
   * channels ({@code Grpc.newChannelBuilder(target, creds)}, the vGPU client).
   */
  public ChannelCredentials channelCredentials() {
    checked();
    try {
      return TlsChannelCredentials.newBuilder()
          .keyManager(cert.toFile(), key.toFile())
          .trustManager(ca.toFile())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS files " + this, e);
    }
  }

  /** The server identity as transport-neutral gRPC credentials, client certificates required. */
  public ServerCredentials serverCredentials() {
    checked();
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(cert.toFile(), key.toFile())
          .trustManager(ca.toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS files " + this, e);
    }
  }

  /** {@code tls.channelCredentials()}, or plaintext when {@code tls} is null. */
  public static ChannelCredentials channelCredentials(TlsFiles tls) {
    return tls == null ? InsecureChannelCredentials.create() : tls.channelCredentials();
  }

  /** {@code tls.serverCredentials()}, or plaintext when {@code tls} is null. */
  public static ServerCredentials serverCredentials(TlsFiles tls) {
    return tls == null ? InsecureServerCredentials.create() : tls.serverCredentials();
  }

  /** The flags that give a child process ({@code pipeline stage}) this identity. */
  public List<String> asArgs() {
    return List.of("--tls-cert", cert.toString(), "--tls-key", key.toString(), "--tls-ca", ca.toString());
  }

  @Override
  public String toString() {
    return "(cert " + cert + ", key " + key + ", ca " + ca + ")";
  }
}
