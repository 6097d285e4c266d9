package io.edgepipe.planner.manifest;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How every edgepipe pod is locked down, and where its secrets are mounted.
 *
 * <ul>
 *   <li>Pod: runs as the unprivileged user and group 65532 (distroless "nonroot"),
 *       {@code runAsNonRoot}, {@code fsGroup} 65532 so mounted secrets are readable by the group,
 *       the container runtime's default seccomp profile, and no service account token (no stage
 *       talks to the API server).</li>
 *   <li>Container: read-only root file system, no privilege escalation, every capability dropped;
 *       {@value #TMP_DIR} is a size-limited emptyDir (the JVM's perf data and Netty's native TLS
 *       library are unpacked there).</li>
 *   <li>TLS (manifests generated with {@code --tls}): the Secret {@code <workload>-tls} (keys
 *       {@value #TLS_CERT_KEY}, {@value #TLS_KEY_KEY}, {@value #TLS_CA_KEY}, as written by
 *       {@code pipeline certs --manifests}) is mounted at {@value #TLS_DIR} and passed with
 *       {@code --tls-cert/--tls-key/--tls-ca}.</li>
 *   <li>vGPU tokens: the backend reads its {@code tenant:token} file from the Secret
 *       {@value #VGPU_TOKENS_SECRET} (key {@value #VGPU_TOKENS_KEY}); each stage that computes on
 *       the remote vGPU reads its own token from the Secret {@value #VGPU_CLIENT_TOKENS_SECRET},
 *       key = the stage's name, through {@code EDGEPIPE_VGPU_TOKEN_FILE}. Tokens never appear in
 *       manifests, arguments or environment values.</li>
 * </ul>
 */
public final class Security {
  /** User and group id of the distroless "nonroot" user. */
  public static final long RUN_AS = 65532L;
  public static final String SECCOMP = "RuntimeDefault";
  public static final String TMP_VOLUME = "tmp";
  public static final String TMP_DIR = "/tmp";
  public static final String TMP_SIZE = "1Gi";

  public static final String TLS_VOLUME = "tls";
  public static final String TLS_DIR = "/etc/edgepipe/tls";
  public static final String TLS_CERT_KEY = "tls.crt";
  public static final String TLS_KEY_KEY = "tls.key";
  public static final String TLS_CA_KEY = "ca.crt";

  public static final String VGPU_TOKENS_SECRET = "vgpu-tokens";
  public static final String VGPU_TOKENS_KEY = "tokens";
  public static final String VGPU_TOKENS_VOLUME = "vgpu-tokens";
  public static final String VGPU_TOKENS_DIR = "/etc/edgepipe/vgpu-tokens";
  public static final String VGPU_CLIENT_TOKENS_SECRET = "vgpu-client-tokens";
  public static final String VGPU_TOKEN_VOLUME = "vgpu-token";
  public static final String VGPU_TOKEN_DIR = "/etc/edgepipe/vgpu-token";
  public static final String VGPU_TOKEN_FILE = VGPU_TOKEN_DIR + "/token";
  /** Environment variable the vGPU client reads its token file from (Devices.TOKEN_FILE_ENV). */
  public static final String VGPU_TOKEN_FILE_ENV = "EDGEPIPE_VGPU_TOKEN_FILE";

  /** Owner and group may read; with fsGroup the group is the service's. */
  static final int SECRET_MODE = 0440;

  private Security() {}

  /** Name of the TLS Secret of a workload: {@code conv-tls}, {@code vgpu-backend-tls}. */
  public static String tlsSecretName(String workload) {
    return workload + "-tls";
  }

  /** The flags that point a service at its mounted TLS Secret. */
  public static List<String> tlsArgs() {
    return List.of("--tls-cert", TLS_DIR + "/" + TLS_CERT_KEY, "--tls-key", TLS_DIR + "/" + TLS_KEY_KEY,
        "--tls-ca", TLS_DIR + "/" + TLS_CA_KEY);
  }

  /** The flag that points the vgpu-backend at its mounted tokens file. */
  public static List<String> vgpuTokensArgs() {
    return List.of("--tokens", VGPU_TOKENS_DIR + "/" + VGPU_TOKENS_KEY);
  }

  static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withNewSeccompProfile().withType(SECCOMP).endSeccompProfile()
        .build();
  }

  static SecurityContext containerSecurityContext() {
    Capabilities none = new CapabilitiesBuilder().withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withPrivileged(false)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withCapabilities(none)
        .build();
  }

  /**
   * A Secret mounted read-only into one container.
   *
   * @param key   the one key to mount (as file {@code path}), or null for every key under its name
   * @param type  the Secret's type ("kubernetes.io/tls", "Opaque")
   * @param files the Secret's keys this mount needs, each with the file in the secrets folder it is
   *              made from (as {@code pipeline certs --out DIR} names them)
   */
  record SecretMount(String volume, String secret, String mountPath, String key, String path, String type,
      Map<String, String> files) {
    Volume toVolume() {
      VolumeBuilder b = new VolumeBuilder().withName(volume);
      if (key == null) {
        return b.withNewSecret().withSecretName(secret).withDefaultMode(SECRET_MODE).endSecret().build();
      }
      return b.withNewSecret().withSecretName(secret).withDefaultMode(SECRET_MODE)
          .addNewItem().withKey(key).withPath(path).endItem().endSecret().build();
    }

    /** The same mount under another volume name (volume names are unique in a Pod). */
    SecretMount renamed(String newVolume) {
      return new SecretMount(newVolume, secret, mountPath, key, path, type, files);
    }

    VolumeMount toMount() {
      return new VolumeMountBuilder().withName(volume).withMountPath(mountPath).withReadOnly(true).build();
    }
  }

  static SecretMount tlsMount(String workload) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(TLS_CERT_KEY, workload + ".pem");
    files.put(TLS_KEY_KEY, workload + "-key.pem");
    files.put(TLS_CA_KEY, "ca.pem");
    return new SecretMount(TLS_VOLUME, tlsSecretName(workload), TLS_DIR, null, null, "kubernetes.io/tls", files);
  }

  static SecretMount vgpuTokensMount() {
    return new SecretMount(VGPU_TOKENS_VOLUME, VGPU_TOKENS_SECRET, VGPU_TOKENS_DIR, null, null, "Opaque",
        Map.of(VGPU_TOKENS_KEY, "vgpu-tokens"));
  }

  static SecretMount vgpuClientTokenMount(String stage) {
    return new SecretMount(VGPU_TOKEN_VOLUME, VGPU_CLIENT_TOKENS_SECRET, VGPU_TOKEN_DIR, stage, "token", "Opaque",
        Map.of(stage, "vgpu-token-" + stage));
  }

  static Volume tmpVolume() {
    return new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().withSizeLimit(new Quantity(TMP_SIZE))
        .endEmptyDir().build();
  }

  static VolumeMount tmpMount() {
    return new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath(TMP_DIR).build();
  }

  /** Every mount a container gets besides the spec: /tmp, then its secrets. */
  static List<VolumeMount> mounts(List<SecretMount> secrets) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(tmpMount());
    secrets.forEach(s -> mounts.add(s.toMount()));
    return mounts;
  }
}
