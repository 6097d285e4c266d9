package io.edgepipe.planner;

/** A placement string that does not fit the chain (wrong length or letters other than E and S). */
public class PlacementException extends PlannerException {
  public PlacementException(String message) {
    super(message);
  }
}
