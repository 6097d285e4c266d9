package io.edgepipe.vgpu.remote;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * The native address of a direct buffer, so that a buffer the caller hands a copy can be
 * recognised as a region of the session's shared-memory segment whatever view of it (duplicate,
 * slice) it is. Read through {@code sun.misc.Unsafe} (the JDK has no public accessor before the
 * foreign-memory API); where that is unavailable every buffer is "unknown" and copies take the
 * ordinary path.
 */
final class BufferAddress {
  private static final Object UNSAFE;
  private static final Method GET_LONG;
  private static final long ADDRESS_OFFSET;

  static {
    Object unsafe = null;
    Method getLong = null;
    long offset = -1;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      unsafe = f.get(null);
      offset = (long) c.getMethod("objectFieldOffset", Field.class).invoke(unsafe, Buffer.class.getDeclaredField("address"));
      getLong = c.getMethod("getLong", Object.class, long.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      unsafe = null;
    }
    UNSAFE = unsafe;
    GET_LONG = getLong;
    ADDRESS_OFFSET = offset;
  }

  private BufferAddress() {}

  /** The address of {@code b}'s element 0, or -1 for a heap buffer or where it cannot be read. */
  static long of(ByteBuffer b) {
    if (b == null || !b.isDirect() || UNSAFE == null) {
      return -1;
    }
    try {
      return (long) GET_LONG.invoke(UNSAFE, b, ADDRESS_OFFSET);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }
}
