package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * How one object is written to the cluster. Real clusters get {@link ServerSideApply}; the
 * fabric8 CRUD mock server cannot do server-side apply (it answers 404 for a new object and 415
 * for the apply-patch content type), so tests use {@link ReplaceApply} instead.
 */
public interface ApplyStrategy {
  /** Field manager name recorded in managedFields. */
  String FIELD_MANAGER = "edgepipe";

  ApplyOutcome apply(KubernetesClient client, HasMetadata desired);
}
