package io.edgepipe.planner.manifest;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Secrets a set of manifests mounts (TLS, vGPU tokens) and the local files they are made
 * from: a folder as {@code pipeline certs --out DIR [--vgpu-tenants ...]} writes it
 * ({@code ca.pem}, {@code NAME.pem}, {@code NAME-key.pem}, {@code vgpu-tokens},
 * {@code vgpu-token-STAGE}). {@code pipeline deploy} creates them from the files; the written
 * folder carries a copy under {@code secrets/} (owner-only, git-ignored) and a
 * {@code secretGenerator} for each, so {@code kubectl apply -k} creates them too.
 */
public final class SecretSources {
  /** Folder inside the manifests folder that holds the secret files kustomize reads. */
  public static final String DIR = "secrets";

  /** One Secret: its name, type and each key's file name in the secrets folder. */
  public record Needed(String name, String type, Map<String, String> files) {}

  private final Map<String, Needed> needed = new LinkedHashMap<>();

  void add(List<Security.SecretMount> mounts) {
    for (Security.SecretMount mount : mounts) {
      Needed known = needed.get(mount.secret());
      Map<String, String> files = new TreeMap<>(known == null ? Map.of() : known.files());
      files.putAll(mount.files());
      needed.put(mount.secret(), new Needed(mount.secret(), mount.type(), files));
    }
  }

  List<Needed> list() {
    return List.copyOf(needed.values());
  }

  /**
   * Refuses, in one line, manifests whose Secrets cannot be made: they mount some and no folder
   * was given, or a file is missing from it.
   */
  public static void requireFiles(PipelineManifests manifests, Path folder) {
    if (manifests.secretsNeeded().isEmpty()) {
      return;
    }
    List<String> names = manifests.secretsNeeded().stream().map(Needed::name).toList();
    if (folder == null) {
      throw new ManifestException("these manifests mount the Secrets " + names + ": pass --secrets-from DIR, the folder "
          + "`pipeline certs --out DIR" + (names.contains(Security.VGPU_TOKENS_SECRET)
              || names.contains(Security.VGPU_CLIENT_TOKENS_SECRET) ? " --vgpu-tenants STAGE,..." : "") + "` wrote");
    }
    for (Needed secret : manifests.secretsNeeded()) {
      for (Map.Entry<String, String> file : secret.files().entrySet()) {
        if (!Files.isRegularFile(folder.resolve(file.getValue()))) {
          throw new ManifestException("Secret " + secret.name() + " needs " + folder.resolve(file.getValue())
              + " (key " + file.getKey() + "), which is missing; make it with `pipeline certs --out " + folder
              + (secret.name().startsWith("vgpu-") ? " --vgpu-tenants STAGE,...`" : "`"));
        }
      }
    }
  }

  /** True when the manifests mount no Secret, so none has to be made. */
  public static boolean requireNothing(PipelineManifests manifests) {
    return manifests.secretsNeeded().isEmpty();
  }

  /** The Secrets as objects to apply (what {@code pipeline deploy} creates). */
  public static List<Secret> secrets(PipelineManifests manifests, Path folder) {
    requireFiles(manifests, folder);
    List<Secret> secrets = new ArrayList<>();
    for (Needed n : manifests.secretsNeeded()) {
      Map<String, String> data = new LinkedHashMap<>();
      n.files().forEach((key, file) -> data.put(key, Base64.getEncoder().encodeToString(read(folder.resolve(file)))));
      Map<String, String> labels = Labels.partOf();
      labels.put(Labels.NAME, n.name());
      secrets.add(new SecretBuilder().withNewMetadata().withName(n.name()).withNamespace(manifests.namespaceName())
          .withLabels(labels).endMetadata().withType(n.type()).withData(data).build());
    }
    return secrets;
  }

  /**
   * Copies the files into {@code dir/secrets/NAME/KEY} (owner-only, with a .gitignore that keeps
   * them out of version control) and returns the kustomization's {@code secretGenerator} entries.
   */
  static List<Map<String, Object>> copyForKustomize(PipelineManifests manifests, Path folder, Path dir) {
    requireFiles(manifests, folder);
    List<Map<String, Object>> generators = new ArrayList<>();
    try {
      Path root = dir.resolve(DIR);
      Files.createDirectories(root);
      Files.writeString(root.resolve(".gitignore"), "# secret material copied by edgepipe: never commit\n*\n");
      for (Needed n : manifests.secretsNeeded()) {
        Path secretDir = Files.createDirectories(root.resolve(n.name()));
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> file : n.files().entrySet()) {
          Path copy = secretDir.resolve(file.getKey());
          Files.write(copy, read(folder.resolve(file.getValue())));
          ownerOnly(copy);
          files.add(file.getKey() + "=" + DIR + "/" + n.name() + "/" + file.getKey());
        }
        Map<String, Object> generator = new LinkedHashMap<>();
        generator.put("name", n.name());
        generator.put("namespace", manifests.namespaceName());
        generator.put("type", n.type());
        generator.put("files", files);
        generators.add(generator);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy secret files into " + dir, e);
    }
    return generators;
  }

  /** Deletes {@code dir/secrets} and what it holds, if there. */
  static void removeCopies(Path dir) {
    Path root = dir.resolve(DIR);
    if (!Files.isDirectory(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove old secret copies in " + root, e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ManifestException("cannot read secret file " + file + ": " + e.getMessage());
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the .gitignore still keeps the copy out of git
    }
  }
}
