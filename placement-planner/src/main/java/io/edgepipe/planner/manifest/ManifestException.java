package io.edgepipe.planner.manifest;

import io.edgepipe.planner.PlannerException;

/** Manifest options that cannot be honoured (unknown stage in --replicas, a replicated producer...). */
public class ManifestException extends PlannerException {
  public ManifestException(String message) {
    super(message);
  }
}
