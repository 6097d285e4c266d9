package io.edgepipe.kernels;

import io.edgepipe.api.Float16;

/**
 * Element type and layout conversions, the CPU twins of the CUDA kernels
 * {@code bgr_u8_hwc_to_f32_chw}, {@code u8_to_f32}, {@code f32_to_u8}, {@code f16_to_f32} and
 * {@code f32_to_f16}. Bytes are unsigned (0..255); halves are IEEE binary16 bit patterns in a
 * {@code short}. Every output element depends on one input element only, so results do not depend
 * on threading; large inputs are split across the common ForkJoinPool.
 */
public final class Convert {
  private Convert() {}

  /** {@code U8_TO_UNIT[u] == u / 255f} (float32 division, correctly rounded), the same value
   *  CUDA's {@code __fdiv_rn(u, 255.f)} gives; a table avoids a division per element. */
  private static final float[] U8_TO_UNIT = new float[256];

  static {
    for (int u = 0; u < 256; u++) {
      U8_TO_UNIT[u] = u / 255f;
    }
  }

  /** {@code HALF_TO_FLOAT[h] == Float16.toFloat((short) h)} for every half (256 KiB): a lookup
   *  replaces the branches of the general conversion. */
  private static final float[] HALF_TO_FLOAT = new float[65536];

  static {
    for (int h = 0; h < 65536; h++) {
      HALF_TO_FLOAT[h] = Float16.toFloat((short) h);
    }
  }

  private static final int CHUNK = 1 << 15;

  /**
   * Interleaved 8-bit image (HWC, as OpenCV delivers BGR frames) to planar float32 CHW in [0, 1]:
   * {@code out[ch*h*w + y*w + x] = in[(y*w + x)*c + ch] / 255f}. The channel order is kept, so
   * for a BGR frame plane 0 is blue. Division is float32, correctly rounded.
   *
   * @param in  u8[h*w*c] (may be longer)
   * @param out f32[c*h*w] (may be longer)
   */
  public static void bgrU8HwcToF32Chw(byte[] in, float[] out, int h, int w, int c) {
    if (h < 1 || w < 1 || c < 1) {
      throw new IllegalArgumentException("h, w, c must be >= 1, got " + h + ", " + w + ", " + c);
    }
    long n = (long) h * w * c;
    needBytes("in", in, n);
    Conv2d.need("out", out, n);
    final int plane = h * w;
    if (n >= Conv2d.PARALLEL_THRESHOLD && h > 1) {
      Bands.run(h, y -> hwcRow(in, out, w, c, plane, y));
    } else {
      for (int y = 0; y < h; y++) {
        hwcRow(in, out, w, c, plane, y);
      }
    }
  }

  private static void hwcRow(byte[] in, float[] out, int w, int c, int plane, int y) {
    final int p0 = y * w;
    for (int ch = 0; ch < c; ch++) {
      final int o = ch * plane + p0;
      final int s = p0 * c + ch;
      for (int x = 0; x < w; x++) {
        out[o + x] = U8_TO_UNIT[in[s + x * c] & 0xff];
      }
    }
  }

  /**
   * {@code out[i] = (in[i] & 0xff) / 255f} (float32 division, correctly rounded).
   *
   * @param in  u8[n] (may be longer)
   * @param out f32[n] (may be longer)
   */
  public static void u8ToF32(byte[] in, float[] out, int n) {
    checkN(n);
    needBytes("in", in, n);
    Conv2d.need("out", out, n);
    chunks(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        out[i] = U8_TO_UNIT[in[i] & 0xff];
      }
    });
  }

  /**
   * {@code out[i] = roundHalfEven(clamp(in[i], 0, 1) * 255f)} as an unsigned byte. The clamp is
   * {@code x > 0 ? min(x, 1) : 0}, so NaN and -0.0 give 0 and +Infinity gives 255. The product is
   * a float32 multiplication (rounded to nearest) and is then rounded to the nearest integer,
   * ties to even (0.5 -> 0, 1.5 -> 2, 254.5 -> 254), as CUDA's {@code __float2int_rn}.
   *
   * @param in  f32[n] (may be longer)
   * @param out u8[n] (may be longer)
   */
  public static void f32ToU8(float[] in, byte[] out, int n) {
    checkN(n);
    Conv2d.need("in", in, n);
    needBytes("out", out, n);
    chunks(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        float x = in[i];
        float v = x > 0f ? (x < 1f ? x : 1f) : 0f;
        out[i] = (byte) (int) Math.rint(v * 255f);
      }
    });
  }

  /**
   * IEEE binary16 to float32 via {@link Float16#toFloat}: exact for every finite half (subnormals
   * included), infinities kept; a NaN becomes a float NaN with the same sign and its 10-bit
   * payload in the top payload bits (the CUDA kernel builds the same bits explicitly).
   *
   * @param in  f16[n] bit patterns (may be longer)
   * @param out f32[n] (may be longer)
   */
  public static void f16ToF32(short[] in, float[] out, int n) {
    checkN(n);
    if (in == null || in.length < n) {
      throw new IllegalArgumentException("in has " + (in == null ? "no" : in.length) + " elements, needs " + n);
    }
    Conv2d.need("out", out, n);
    chunks(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        out[i] = HALF_TO_FLOAT[in[i] & 0xffff];
      }
    });
  }

  /**
   * float32 to IEEE binary16 via {@link Float16#fromFloat}: round to nearest, ties to even (as
   * CUDA's {@code __float2half_rn}); magnitudes that round above 65504 become infinity; values
   * below half the smallest subnormal (2^-25) become a signed zero. A NaN stays a NaN: sign kept,
   * quiet bit set, top 9 payload bits kept (the CUDA kernel builds the same bits explicitly, as
   * the hardware conversion would give a canonical NaN).
   *
   * @param in  f32[n] (may be longer)
   * @param out f16[n] bit patterns (may be longer)
   */
  public static void f32ToF16(float[] in, short[] out, int n) {
    checkN(n);
    Conv2d.need("in", in, n);
    if (out == null || out.length < n) {
      throw new IllegalArgumentException("out has " + (out == null ? "no" : out.length) + " elements, needs " + n);
    }
    chunks(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        out[i] = toHalf(in[i]);
      }
    });
  }

  /**
   * {@link Float16#fromFloat}, with a branch-free rounding for the common case (magnitudes that
   * are normal halves and do not round to infinity) and for the magnitudes that round to zero.
   * Float16 decides rounding with a data-dependent branch that mispredicts about half the time.
   * Equality with Float16.fromFloat is tested at every rounding tie and on a sweep of floats.
   */
  static short toHalf(float f) {
    final int bits = Float.floatToRawIntBits(f);
    final int a = bits & 0x7fffffff;
    final int sign = (bits >>> 16) & 0x8000;
    if (a >= 0x38800000 && a < 0x477ff000) { // [2^-14, 65520): a normal half after rounding
      // rebias the exponent (127 -> 15) and round the 13 dropped bits to nearest, ties to even:
      // adding 0xfff plus the kept lsb carries exactly when the dropped part is above half, or
      // is half and the lsb is odd; a carry into the exponent is the correct result
      final int r = a - 0x38000000;
      return (short) (sign | ((r + 0xfff + ((r >>> 13) & 1)) >>> 13));
    }
    if (a <= 0x33000000) { // |f| <= 2^-25 rounds to a signed zero (2^-25 is a tie, even is 0)
      return (short) sign;
    }
    return Float16.fromFloat(f); // subnormal halves, overflow, infinity, NaN
  }

  private interface Range {
    void run(int from, int to);
  }

  /** Runs {@code body} over [0, n), split into chunks in parallel when n is large. */
  private static void chunks(int n, Range body) {
    if (n >= Conv2d.PARALLEL_THRESHOLD) {
      Bands.run((n + CHUNK - 1) / CHUNK, c -> body.run(c * CHUNK, Math.min(n, c * CHUNK + CHUNK)));
    } else {
      body.run(0, n);
    }
  }

  private static void checkN(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
  }

  private static void needBytes(String name, byte[] a, long n) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (a.length < n) {
      throw new IllegalArgumentException(name + " has " + a.length + " elements, needs " + n);
    }
  }
}
