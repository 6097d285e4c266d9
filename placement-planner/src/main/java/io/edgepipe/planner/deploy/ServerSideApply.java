package io.edgepipe.planner.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import java.util.Objects;

/**
 * Server-side apply with field manager "edgepipe" and strict field validation (a field the
 * server does not know, or one given twice, is an error rather than silently dropped), forcing
 * conflicts: edgepipe owns these
 * objects, and a field someone changed by hand (kubectl scale) should return to the plan. The
 * API server leaves an object untouched, resourceVersion included, when the applied fields
 * already match, which makes a repeated deploy a no-op and lets us report it as unchanged.
 */
public final class ServerSideApply implements ApplyStrategy {
  @Override
  public ApplyOutcome apply(KubernetesClient client, HasMetadata desired) {
    HasMetadata live = client.resource(desired).get();
    HasMetadata applied = client.resource(desired).fieldValidation(Validation.STRICT).fieldManager(FIELD_MANAGER)
        .forceConflicts().serverSideApply();
    if (live == null) {
      return ApplyOutcome.CREATED;
    }
    return Objects.equals(live.getMetadata().getResourceVersion(), applied.getMetadata().getResourceVersion())
        ? ApplyOutcome.UNCHANGED : ApplyOutcome.CONFIGURED;
  }
}
