package io.edgepipe.runtime;

import io.grpc.Status;

/** A frame this stage will not process; the status names why and goes back to the sender. */
public class FrameRejectedException extends RuntimeException {
  private final Status.Code code;

  public FrameRejectedException(Status.Code code, String message) {
    super(message);
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }
}
