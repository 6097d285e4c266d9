package io.edgepipe.api;

/** A pipeline spec that cannot be used; the message names the offending key. */
public class SpecException extends IllegalArgumentException implements UserError {
  public SpecException(String message) {
    super(message);
  }
}
