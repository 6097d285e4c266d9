package io.edgepipe.harness;

import io.edgepipe.runtime.tls.CertificateAuthority;
import io.edgepipe.runtime.tls.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throwaway CA and one certificate per service, for {@code pipeline run --tls}: written to a
 * fresh owner-only temporary directory, valid for a day, deleted on {@link #close}. The CA's key
 * is never written (nothing signs after start). Each certificate names the service and
 * localhost / 127.0.0.1 / ::1, so every loopback hop verifies its server and presents its own
 * client certificate.
 *
 * <pre>
 *   try (EphemeralTls tls = EphemeralTls.create(List.of("sink", "conv", "relu", "maxpool", "producer"))) {
 *     TlsFiles conv = tls.forService("conv");   // Transport.server(..., conv) / Transport.channel(..., conv)
 *     List&lt;String&gt; args = conv.asArgs();       // --tls-cert ... for a `pipeline stage` child process
 *   }
 * </pre>
 */
public final class EphemeralTls implements AutoCloseable {
  static final Duration VALIDITY = Duration.ofDays(1);

  private final Path dir;
  private final Map<String, TlsFiles> files;

  private EphemeralTls(Path dir, Map<String, TlsFiles> files) {
    this.dir = dir;
    this.files = files;
  }

  /** A new CA and a certificate for each of {@code services} (names must be file-name safe). */
  public static EphemeralTls create(Collection<String> services) {
    Path dir;
    try {
      dir = Files.createTempDirectory("edgepipe-tls-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      try {
        dir = Files.createTempDirectory("edgepipe-tls-");
      } catch (IOException io) {
        throw new UncheckedIOException("cannot create a temporary directory for TLS files", io);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for TLS files", e);
    }
    try {
      CertificateAuthority ca = CertificateAuthority.generate("edgepipe ephemeral CA", VALIDITY);
      ca.writeCertificate(dir);
      Map<String, TlsFiles> files = new LinkedHashMap<>();
      for (String service : services) {
        if (!service.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
          throw new IllegalArgumentException("service name '" + service + "' cannot name a certificate file");
        }
        files.put(service, ca.writeService(dir, service, null, VALIDITY));
      }
      return new EphemeralTls(dir, files);
    } catch (RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  /** The TLS files of {@code service}; every service trusts the same CA. */
  public TlsFiles forService(String service) {
    TlsFiles tls = files.get(service);
    if (tls == null) {
      throw new IllegalArgumentException("no ephemeral certificate for '" + service + "'; made for " + files.keySet());
    }
    return tls;
  }

  public Map<String, TlsFiles> all() {
    return Map.copyOf(files);
  }

  public Path dir() {
    return dir;
  }

  /** Deletes the directory and every key in it. */
  @Override
  public void close() {
    delete(dir);
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: the directory is under the temp dir and owner-only
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
