package io.edgepipe.planner.deploy;

import io.edgepipe.planner.PlannerException;

/** The cluster is missing, unreachable or not prepared for the placement; the message says how to fix it. */
public class ClusterException extends PlannerException {
  public ClusterException(String message) {
    super(message);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
