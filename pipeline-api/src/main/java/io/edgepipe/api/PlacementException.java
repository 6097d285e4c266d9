package io.edgepipe.api;

/** A placement string that does not fit the chain (wrong length or letters other than E and S). */
public class PlacementException extends IllegalArgumentException implements UserError {
  public PlacementException(String message) {
    super(message);
  }
}
