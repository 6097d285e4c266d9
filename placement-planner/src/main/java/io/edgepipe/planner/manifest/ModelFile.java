package io.edgepipe.planner.manifest;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The ONNX file of a model spec, as the pods that read the spec get it: a volume mounted read-only
 * at {@value #DIR} in every container that mounts the spec (the producer and sink read the model's
 * graph too), whose file the deployed spec names as {@code model.file}. Pods need no network for it.
 *
 * <ul>
 *   <li>By default the file is the {@code binaryData} of the ConfigMap {@value #CONFIG_MAP}: the
 *       shipped models (442 KB and 579 KB) fit the API server's 1 MiB limit on a ConfigMap.</li>
 *   <li>A larger model comes from a PersistentVolumeClaim the user made and filled
 *       ({@code --model-pvc CLAIM}, the file at the claim's root under its own name).</li>
 * </ul>
 * Both are volume types the restricted Pod Security profile admits (a hostPath is not). Baking the
 * model into an image would couple images to models, so it is not offered.
 *
 * @param fileName the file's name in the volume
 * @param bytes    the model, when it travels in the ConfigMap; null for a claim
 * @param claim    the PersistentVolumeClaim holding it; null for the ConfigMap
 */
public record ModelFile(String fileName, byte[] bytes, String claim) {
  public static final String CONFIG_MAP = "pipeline-model";
  public static final String VOLUME = "model";
  public static final String DIR = "/etc/edgepipe-model";
  /** The API server refuses a ConfigMap whose data add up to more than 1 MiB. */
  public static final int CONFIG_MAP_LIMIT = 1 << 20;

  public ModelFile {
    if (!fileName.matches("[-._a-zA-Z0-9]+")) {
      throw new ManifestException("model file name '" + fileName + "': a ConfigMap key and file name takes only "
          + "letters, digits, '-', '_' and '.'");
    }
  }

  /** The model in the ConfigMap; one that does not fit is refused, naming the way that does. */
  public static ModelFile inConfigMap(String fileName, byte[] bytes) {
    if (bytes.length > CONFIG_MAP_LIMIT) {
      throw new ManifestException("model " + fileName + " is " + bytes.length + " bytes, over a ConfigMap's 1 MiB "
          + "limit: copy it into a PersistentVolumeClaim and pass --model-pvc CLAIM");
    }
    return new ModelFile(fileName, bytes.clone(), null);
  }

  /** The model in the root folder of the PersistentVolumeClaim {@code claim}. */
  public static ModelFile onClaim(String fileName, String claim) {
    return new ModelFile(fileName, null, claim);
  }

  /** Where the containers read it: what the deployed spec's {@code model.file} says. */
  public String path() {
    return DIR + "/" + fileName;
  }

  /** The ConfigMap that carries the file, or null when a claim does. */
  ConfigMap configMap(String namespace) {
    if (bytes == null) {
      return null;
    }
    Map<String, String> labels = Labels.partOf();
    labels.put(Labels.NAME, CONFIG_MAP);
    return new ConfigMapBuilder()
        .withNewMetadata().withName(CONFIG_MAP).withNamespace(namespace).withLabels(labels)
        .addToAnnotations(Labels.MODEL_HASH, sha256()).endMetadata()
        .addToBinaryData(fileName, Base64.getEncoder().encodeToString(bytes))
        .build();
  }

  Volume volume() {
    VolumeBuilder v = new VolumeBuilder().withName(VOLUME);
    return bytes != null
        ? v.withNewConfigMap().withName(CONFIG_MAP).endConfigMap().build()
        : v.withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(true).endPersistentVolumeClaim().build();
  }

  VolumeMount mount() {
    return new VolumeMountBuilder().withName(VOLUME).withMountPath(DIR).withReadOnly(true).build();
  }

  /** Of the bytes when known, so the pods restart when the model changes; of the claim's name otherwise. */
  public String sha256() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(bytes != null ? bytes
          : ("pvc:" + claim + "/" + fileName).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
