package io.edgepipe.vgpu.cpu;

import io.edgepipe.vgpu.LaunchCheck.Elem;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One allocation of the emulated device. The bytes are kept in the typed array the kernels use
 * ({@code float[]}, {@code byte[]} or {@code short[]}), so a launch hands the Java twin an array
 * with no conversion. The representation switches only when a kernel needs another element type,
 * by reinterpreting the bytes little-endian (what a GPU buffer is). Host copies decode or encode
 * directly between the caller's ByteBuffer and the current array in one bulk pass.
 *
 * <p>A fresh buffer holds zeros in a float32 array (a byte array when its size is not a multiple
 * of 4), allocated at once, so the memory a malloc grants is really held from then on and no later
 * write can run the host out of memory; nearly every buffer of the project is float32, and a
 * wrong guess costs one conversion, once. Array lengths
 * round up to whole elements; trailing bytes of a partial element live in its low-order bytes.
 * Not thread-safe (neither is the device).
 */
final class CpuBuffer {
  private final int bytes;
  private Elem kind; // null: never touched, all zeros
  private float[] f;
  private byte[] b;
  private short[] s;

  CpuBuffer(int bytes) {
    this.bytes = bytes;
    become(bytes % 4 == 0 ? Elem.F32 : Elem.U8);
  }

  int bytes() {
    return bytes;
  }

  /** The current representation, or null while the buffer was never touched. */
  Elem kind() {
    return kind;
  }

  float[] floats() {
    become(Elem.F32);
    return f;
  }

  byte[] u8() {
    become(Elem.U8);
    return b;
  }

  short[] halves() {
    become(Elem.F16);
    return s;
  }

  /**
   * The float array for a kernel that overwrites the first {@code elements}: when that covers the
   * whole buffer the old contents need not be converted.
   */
  float[] floatsForOverwrite(long elements) {
    overwriteHint(Elem.F32, elements);
    return floats();
  }

  byte[] u8ForOverwrite(long elements) {
    overwriteHint(Elem.U8, elements);
    return u8();
  }

  short[] halvesForOverwrite(long elements) {
    overwriteHint(Elem.F16, elements);
    return halves();
  }

  private void overwriteHint(Elem want, long elements) {
    if (kind != want && elements * want.bytes >= bytes) {
      drop();
    }
  }

  /** Host to device: src.remaining() bytes to offset 0; src's position is not changed. */
  void write(ByteBuffer src) {
    int n = src.remaining();
    if (kind == null) {
      become(bytes % 4 == 0 ? Elem.F32 : Elem.U8);
    }
    ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = le.position();
    switch (kind) {
      case U8 -> le.get(p, b, 0, n);
      case F32 -> {
        int full = n / 4;
        le.asFloatBuffer().get(f, 0, full);
        if (n % 4 != 0) {
          f[full] = Float.intBitsToFloat(patch(Float.floatToRawIntBits(f[full]), le, p + 4 * full, n % 4));
        }
      }
      case F16 -> {
        int full = n / 2;
        le.asShortBuffer().get(s, 0, full);
        if (n % 2 != 0) {
          s[full] = (short) patch(s[full], le, p + 2 * full, 1);
        }
      }
    }
  }

  /** Device to host: dst.remaining() bytes from offset 0; dst's position is not changed. */
  void read(ByteBuffer dst) {
    int n = dst.remaining();
    ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = le.position();
    if (kind == null) {
      for (int i = 0; i < n; i++) {
        le.put(p + i, (byte) 0);
      }
      return;
    }
    switch (kind) {
      case U8 -> le.put(p, b, 0, n);
      case F32 -> {
        int full = n / 4;
        le.asFloatBuffer().put(f, 0, full);
        tail(Float.floatToRawIntBits(full < f.length ? f[full] : 0f), le, p + 4 * full, n % 4);
      }
      case F16 -> {
        int full = n / 2;
        le.asShortBuffer().put(s, 0, full);
        tail(full < s.length ? s[full] : 0, le, p + 2 * full, n % 2);
      }
    }
  }

  /** Replaces the low {@code count} bytes of {@code bits} with bytes of {@code src} at {@code at}. */
  private static int patch(int bits, ByteBuffer src, int at, int count) {
    for (int j = 0; j < count; j++) {
      int shift = 8 * j;
      bits = (bits & ~(0xff << shift)) | ((src.get(at + j) & 0xff) << shift);
    }
    return bits;
  }

  /** Writes the low {@code count} bytes of {@code bits} to {@code dst} at {@code at}. */
  private static void tail(int bits, ByteBuffer dst, int at, int count) {
    for (int j = 0; j < count; j++) {
      dst.put(at + j, (byte) (bits >>> (8 * j)));
    }
  }

  /** Switches the representation, reinterpreting the current bytes little-endian. */
  private void become(Elem want) {
    if (kind == want) {
      return;
    }
    ByteBuffer raw = null;
    if (kind != null) {
      raw = ByteBuffer.allocate(padded(4)).order(ByteOrder.LITTLE_ENDIAN);
      switch (kind) {
        case U8 -> raw.put(0, b, 0, bytes);
        case F32 -> raw.asFloatBuffer().put(f);
        case F16 -> raw.asShortBuffer().put(s);
      }
    }
    drop();
    switch (want) {
      case U8 -> {
        b = new byte[bytes];
        if (raw != null) {
          raw.get(0, b, 0, bytes);
        }
      }
      case F32 -> {
        f = new float[padded(4) / 4];
        if (raw != null) {
          raw.asFloatBuffer().get(f);
        }
      }
      case F16 -> {
        s = new short[padded(2) / 2];
        if (raw != null) {
          raw.asShortBuffer().get(s);
        }
      }
    }
    kind = want;
  }

  /** Forgets the contents (they become zeros, which "undefined" allows). */
  private void drop() {
    kind = null;
    f = null;
    b = null;
    s = null;
  }

  private int padded(int unit) {
    return (int) (((long) bytes + unit - 1) / unit * unit);
  }
}
