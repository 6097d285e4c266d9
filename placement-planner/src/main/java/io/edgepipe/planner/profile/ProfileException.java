package io.edgepipe.planner.profile;

import io.edgepipe.planner.PlannerException;

/** A profile that cannot be read, or that lacks a number a prediction needs; the message says which. */
public class ProfileException extends PlannerException {
  public ProfileException(String message) {
    super(message);
  }

  public ProfileException(String message, Throwable cause) {
    super(message, cause);
  }
}
