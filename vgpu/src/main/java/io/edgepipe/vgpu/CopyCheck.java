package io.edgepipe.vgpu;

import java.nio.ByteBuffer;

/**
 * The size checks of a copy, made alike by every device and by the backend that serves remote
 * ones, so a bad copy is refused with the same INVALID_ARGUMENT words wherever it runs.
 */
public final class CopyCheck {
  private CopyCheck() {}

  /** Refuses a copy of {@code n} bytes into a device buffer of {@code size} bytes (n as an unsigned wire count). */
  public static void htoD(long n, long size) {
    if (n < 0 || n > size) {
      throw new GpuException("INVALID_ARGUMENT", "copyHtoD of " + Long.toUnsignedString(n) + " bytes into a buffer of "
          + size + " bytes");
    }
  }

  /** Refuses a copy of {@code n} bytes out of a device buffer of {@code size} bytes (n as an unsigned wire count). */
  public static void dtoH(long n, long size) {
    if (n < 0 || n > size) {
      throw new GpuException("INVALID_ARGUMENT", "copyDtoH of " + Long.toUnsignedString(n) + " bytes from a buffer of "
          + size + " bytes");
    }
  }

  /** Refuses a copy into all of {@code dst}'s remaining bytes from a device buffer of {@code size} bytes, or into a read-only dst. */
  public static void dtoH(ByteBuffer dst, long size) {
    dtoH(dst.remaining(), size);
    if (dst.isReadOnly()) {
      throw new GpuException("INVALID_ARGUMENT", "copyDtoH into a read-only buffer");
    }
  }
}
