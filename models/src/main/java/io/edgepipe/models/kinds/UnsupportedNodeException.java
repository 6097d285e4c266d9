package io.edgepipe.models.kinds;

/** A node the importer cannot run: an operator outside the set, or a feature of one it lacks. */
public final class UnsupportedNodeException extends RuntimeException implements io.edgepipe.api.UserError {
  public UnsupportedNodeException(String message) {
    super(message);
  }
}
