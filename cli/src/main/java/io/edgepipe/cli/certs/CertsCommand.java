package io.edgepipe.cli.certs;

import io.edgepipe.planner.manifest.Labels;
import io.edgepipe.planner.manifest.Security;
import io.edgepipe.runtime.tls.CertificateAuthority;
import io.edgepipe.runtime.tls.TlsFiles;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline certs}: the CA and per-service certificates of one deployment's mutual TLS,
 * optionally the vGPU tenant tokens, and the Secrets that manifests generated with {@code --tls}
 * mount (as kubectl commands, or as YAML with {@code --manifests}).
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = {"Make a CA and a certificate per service for mutual TLS.",
        "The certificates secure the hops between the stages and to the vgpu-backend; the command prints how to "
            + "load them as the Secrets that `pipeline manifests --tls` mounts.",
        "An existing OUT/ca.pem + ca-key.pem is reused (add a service without re-keying the others) unless --new-ca.",
        "Keys are written owner-only; OUT and the --manifests folder get a .gitignore: keep them out of git."})
public final class CertsCommand implements Callable<Integer> {
  static final List<String> DEFAULT_SERVICES = List.of("producer", "conv", "relu", "maxpool", "sink", "vgpu-backend");

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the PEM files go.")
  Path out;

  @Option(names = {"-n", "--namespace"}, defaultValue = "edgepipe",
      description = "Namespace the services run in; certificates name NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local, "
          + "localhost, 127.0.0.1 and ::1 (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--stages", split = ",", paramLabel = "NAME[,NAME...]",
      defaultValue = "producer,conv,relu,maxpool,sink,vgpu-backend",
      description = "Services to certify (default: ${DEFAULT-VALUE}).")
  List<String> services;

  @Option(names = "--days", defaultValue = "365", description = "Validity of service certificates in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--ca-days", defaultValue = "3650", description = "Validity of a new CA in days (default: ${DEFAULT-VALUE}).")
  int caDays;

  @Option(names = "--new-ca", description = "Make a new CA even if OUT holds one (every service must then get new certificates).")
  boolean newCa;

  @Option(names = "--manifests", paramLabel = "DIR",
      description = "Also write the Secrets as YAML into DIR, with a kustomization.yaml (kubectl apply -k DIR).")
  Path manifests;

  @Option(names = "--vgpu-tenants", split = ",", paramLabel = "STAGE[,STAGE...]",
      description = "Also make a random vGPU token per tenant (one per stage that computes on the remote vGPU): the "
          + "backend's tenant:token file and each stage's token, as the Secrets " + Security.VGPU_TOKENS_SECRET + " and "
          + Security.VGPU_CLIENT_TOKENS_SECRET + ". Tokens are written to files, never printed.")
  List<String> vgpuTenants = new ArrayList<>();

  @Override
  public Integer call() {
    PrintStream o = System.out;
    if (days <= 0 || caDays <= 0) {
      throw new IllegalArgumentException("--days and --ca-days must be positive");
    }
    for (String service : services) {
      checkName(service, "--stages");
    }
    vgpuTenants.forEach(t -> checkName(t, "--vgpu-tenants"));
    createPrivateDirectory(out);
    CertificateAuthority ca = loadOrCreateCa(o);
    Map<String, TlsFiles> issued = new LinkedHashMap<>();
    for (String service : services) {
      issued.put(service, ca.writeService(out, service, namespace, Duration.ofDays(days)));
    }
    o.printf("certificates for %s in %s (valid %d days, names <service>.%s.svc.cluster.local and loopback)%n",
        String.join(", ", services), out, days, namespace);
    Map<String, String> tokens = vgpuTenants.isEmpty() ? Map.of() : writeTokens();
    printKubectl(o, issued, tokens);
    if (manifests != null) {
      writeSecretManifests(issued, tokens);
      o.println("\nSecrets as YAML in " + manifests + ": kubectl apply -k " + manifests);
    }
    o.println("\nThen: pipeline manifests --tls ... (every pod mounts <name>-tls at " + Security.TLS_DIR + ").");
    o.println("Keep " + out + (manifests != null ? " and " + manifests : "") + " out of version control: they hold private keys.");
    return 0;
  }

  private static void checkName(String name, String flag) {
    if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new IllegalArgumentException(flag + " '" + name + "' is not a DNS label (lower-case letters, digits, '-')");
    }
  }

  private CertificateAuthority loadOrCreateCa(PrintStream o) {
    Path caCert = out.resolve(CertificateAuthority.CA_CERT);
    Path caKey = out.resolve(CertificateAuthority.CA_KEY);
    if (!newCa && Files.exists(caCert) && Files.exists(caKey)) {
      o.println("using the existing CA " + caCert);
      return CertificateAuthority.load(caCert, caKey);
    }
    CertificateAuthority ca = CertificateAuthority.generate("edgepipe " + namespace + " CA", Duration.ofDays(caDays));
    ca.write(out);
    o.println("new CA " + caCert + " (key " + caKey + ", valid " + caDays + " days)");
    return ca;
  }

  /** Tenant tokens: 32 random bytes each, URL-safe base64, in owner-only files; the map is never printed. */
  private Map<String, String> writeTokens() {
    SecureRandom random = new SecureRandom();
    Map<String, String> tokens = new LinkedHashMap<>();
    StringBuilder file = new StringBuilder("# tenant:token, one per line (vgpu-backend --tokens)\n");
    for (String tenant : vgpuTenants) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      tokens.put(tenant, token);
      file.append(tenant).append(':').append(token).append('\n');
      writePrivate(out.resolve("vgpu-token-" + tenant), token);
    }
    writePrivate(out.resolve("vgpu-tokens"), file.toString());
    return tokens;
  }

  private void printKubectl(PrintStream o, Map<String, TlsFiles> issued, Map<String, String> tokens) {
    o.println("\nload them into the cluster:");
    for (Map.Entry<String, TlsFiles> e : issued.entrySet()) {
      TlsFiles f = e.getValue();
      o.printf("  kubectl -n %s create secret generic %s --type=kubernetes.io/tls --from-file=%s=%s "
              + "--from-file=%s=%s --from-file=%s=%s%n", namespace, Security.tlsSecretName(e.getKey()),
          Security.TLS_CERT_KEY, f.cert(), Security.TLS_KEY_KEY, f.key(), Security.TLS_CA_KEY, f.ca());
    }
    if (!tokens.isEmpty()) {
      o.printf("  kubectl -n %s create secret generic %s --from-file=%s=%s%n", namespace, Security.VGPU_TOKENS_SECRET,
          Security.VGPU_TOKENS_KEY, out.resolve("vgpu-tokens"));
      StringBuilder clients = new StringBuilder();
      for (String tenant : tokens.keySet()) {
        clients.append(" --from-file=").append(tenant).append('=').append(out.resolve("vgpu-token-" + tenant));
      }
      o.printf("  kubectl -n %s create secret generic %s%s%n", namespace, Security.VGPU_CLIENT_TOKENS_SECRET, clients);
    }
  }

  private void writeSecretManifests(Map<String, TlsFiles> issued, Map<String, String> tokens) {
    createPrivateDirectory(manifests);
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, TlsFiles> e : issued.entrySet()) {
      TlsFiles f = e.getValue();
      Map<String, String> data = new LinkedHashMap<>();
      data.put(Security.TLS_CERT_KEY, read(f.cert()));
      data.put(Security.TLS_KEY_KEY, read(f.key()));
      data.put(Security.TLS_CA_KEY, read(f.ca()));
      String name = Security.tlsSecretName(e.getKey());
      files.add(writeSecret(secret(name, "kubernetes.io/tls", data)));
    }
    if (!tokens.isEmpty()) {
      files.add(writeSecret(secret(Security.VGPU_TOKENS_SECRET, "Opaque",
          Map.of(Security.VGPU_TOKENS_KEY, read(out.resolve("vgpu-tokens"))))));
      files.add(writeSecret(secret(Security.VGPU_CLIENT_TOKENS_SECRET, "Opaque", tokens)));
    }
    Map<String, Object> kustomization = new LinkedHashMap<>();
    kustomization.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
    kustomization.put("kind", "Kustomization");
    kustomization.put("resources", files);
    writePrivate(manifests.resolve("kustomization.yaml"), Serialization.asYaml(kustomization));
  }

  Secret secret(String name, String type, Map<String, String> values) {
    Map<String, String> labels = Labels.partOf();
    labels.put(Labels.NAME, name);
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
        .withType(type).withData(data).build();
  }

  private String writeSecret(Secret secret) {
    String file = secret.getMetadata().getName() + ".yaml";
    writePrivate(manifests.resolve(file), "# Generated by `pipeline certs`: holds secrets, keep out of version control.\n"
        + Serialization.asYaml(secret));
    return file;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** A directory only its owner can enter, with a .gitignore that ignores everything in it. */
  private static void createPrivateDirectory(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        try {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system: the key files are still written owner-only where possible
        }
      }
      Path ignore = dir.resolve(".gitignore");
      if (!Files.exists(ignore)) {
        Files.writeString(ignore, "# private keys and tokens from `pipeline certs`\n*\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  private static void writePrivate(Path file, String text) {
    try {
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
