package io.edgepipe.planner;

import io.edgepipe.api.UserError;

/** A placement string that does not fit the chain (wrong length or letters other than E and S). */
public class PlacementException extends PlannerException implements UserError {
  public PlacementException(String message) {
    super(message);
  }
}
