package io.edgepipe.launcher;

import io.edgepipe.api.UserError;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure the user can fix (bad spec, missing file or camera, bad flag value: a
 * {@link UserError}, a bad argument or state, an I/O failure) into one line on stderr and exit
 * code 2; anything else is a bug and keeps its stack trace.
 */
public final class UserErrors implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) throws Exception {
    Throwable cause = e;
    while (cause.getCause() != null && !(isUserError(cause))) {
      cause = cause.getCause();
    }
    if (isUserError(cause)) {
      cmd.getErr().println(cmd.getColorScheme().errorText("error: " + cause.getMessage()));
      return 2;
    }
    throw e;
  }

  static boolean isUserError(Throwable t) {
    return t instanceof UserError || t instanceof IllegalArgumentException || t instanceof IllegalStateException
        || t instanceof java.io.UncheckedIOException;
  }
}
