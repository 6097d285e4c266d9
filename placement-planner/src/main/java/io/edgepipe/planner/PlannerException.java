package io.edgepipe.planner;

/**
 * A problem the user can fix (a bad placement string, a profile without the numbers a prediction
 * needs, a cluster that is missing or not ready). The message is one line meant to be printed as
 * is; front ends print it and exit with status 2 instead of showing a stack trace.
 */
public class PlannerException extends RuntimeException {
  public PlannerException(String message) {
    super(message);
  }

  public PlannerException(String message, Throwable cause) {
    super(message, cause);
  }
}
