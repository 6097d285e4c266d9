package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Create, or replace when the desired object changed: for the fabric8 CRUD mock server, which
 * has no server-side apply. "Changed" is decided by a hash of the desired object kept in an
 * annotation, because a replace of identical content would still count as a write and a
 * redeploy must change nothing. Not for real clusters: a PUT drops fields that other managers
 * and the API server own (a Service's clusterIP, a scaled replica count).
 */
public final class ReplaceApply implements ApplyStrategy {
  static final String HASH_ANNOTATION = "edgepipe.io/applied-sha256";

  @Override
  public ApplyOutcome apply(KubernetesClient client, HasMetadata desired) {
    String hash = hash(desired);
    HasMetadata live = client.resource(desired).get();
    if (live != null && hash.equals(annotation(live))) {
      return ApplyOutcome.UNCHANGED;
    }
    HasMetadata copy = Serialization.clone(desired);
    Map<String, String> annotations = new LinkedHashMap<>();
    if (copy.getMetadata().getAnnotations() != null) {
      annotations.putAll(copy.getMetadata().getAnnotations());
    }
    annotations.put(HASH_ANNOTATION, hash);
    copy.getMetadata().setAnnotations(annotations);
    if (live == null) {
      client.resource(copy).create();
      return ApplyOutcome.CREATED;
    }
    copy.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
    client.resource(copy).update();
    return ApplyOutcome.CONFIGURED;
  }

  private static String annotation(HasMetadata live) {
    Map<String, String> annotations = live.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(HASH_ANNOTATION);
  }

  private static String hash(HasMetadata desired) {
    try {
      byte[] json = Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
