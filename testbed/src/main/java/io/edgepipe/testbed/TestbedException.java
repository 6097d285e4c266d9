package io.edgepipe.testbed;

import io.edgepipe.api.UserError;

/**
 * A testbed step that failed in a way the user can act on (not root, a command refused, the
 * testbed not up). The message is one line; the CLI prints it as is.
 */
public class TestbedException extends IllegalStateException implements UserError {
  public TestbedException(String message) {
    super(message);
  }

  public TestbedException(String message, Throwable cause) {
    super(message, cause);
  }
}
