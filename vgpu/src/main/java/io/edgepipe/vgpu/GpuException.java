package io.edgepipe.vgpu;

import io.edgepipe.api.UserError;

/**
 * A failed device call. {@code code} follows gRPC status names so that local and remote devices
 * report alike: RESOURCE_EXHAUSTED (quota or memory), NOT_FOUND (unknown handle),
 * INVALID_ARGUMENT (bad launch), UNAVAILABLE (backend gone), INTERNAL (driver error).
 */
public class GpuException extends RuntimeException implements UserError {
  private final String code;

  public GpuException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public GpuException(String code, String message, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
