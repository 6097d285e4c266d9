package io.edgepipe.launcher;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure the user can fix (bad spec, missing file or camera, bad flag value) into one
 * line on stderr and exit code 2; anything else is a bug and keeps its stack trace.
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

  private static boolean isUserError(Throwable t) {
    return t instanceof IllegalArgumentException || t instanceof IllegalStateException
        || t instanceof java.io.UncheckedIOException || t.getClass().getSimpleName().endsWith("SourceException")
        || t.getClass().getSimpleName().endsWith("PlacementException")
        || t.getClass().getSimpleName().equals("GpuException");
  }
}
