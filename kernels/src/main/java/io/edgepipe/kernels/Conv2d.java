package io.edgepipe.kernels;


/**
 * 2-D convolution, the CPU twin of the CUDA kernel {@code conv2d_f32}.
 *
 * <h2>Specification</h2>
 * <ul>
 *   <li>Tensors are float32, CHW, row-major: {@code in[ci][y][x]} at {@code (ci*h + y)*w + x},
 *       {@code out[co][oy][ox]} at {@code (co*oh + oy)*ow + ox}.</li>
 *   <li>Weights are laid out {@code [cout][cin][k][k]}: {@code weights[((co*cin + ci)*k + ky)*k + kx]};
 *       {@code bias[co]} is added per output channel.</li>
 *   <li>Cross-correlation, as CNN frameworks compute it (the kernel is not flipped):
 *       <pre>
 *   out[co][oy][ox] = bias[co] + sum over ci, ky, kx of in[ci][oy*stride - pad + ky][ox*stride - pad + kx]
 *                                                       * weights[co][ci][ky][kx]</pre></li>
 *   <li>Output size: {@code oh = (h + 2*pad - k)/stride + 1}, {@code ow = (w + 2*pad - k)/stride + 1}
 *       (floor division; {@code h + 2*pad >= k} and {@code w + 2*pad >= k} are required). The caller
 *       passes {@code oh}/{@code ow} (as the CUDA launch does) and they must equal the formula.</li>
 *   <li>Zero padding by <em>skipping</em>: a tap that falls outside the input contributes nothing
 *       (it is not added as {@code 0*w}). This only matters for the sign of a zero result and for
 *       non-finite weights, and it is what the CUDA kernel does too.</li>
 *   <li>Rounding and order: every product and sum is a float32 operation rounded to nearest (no
 *       fused multiply-add), accumulated in this fixed order: {@code acc = bias[co]}, then for
 *       {@code ci} ascending, {@code ky} ascending, {@code kx} ascending: {@code acc = acc + in*w}.
 *       The result therefore does not depend on threading and is bit-identical to a naive loop
 *       in that order. The CUDA kernel ({@code -fmad=false}, {@code __fmul_rn/__fadd_rn}) performs
 *       the same operations in the same order, so it should match bit for bit; the contract
 *       between the two only promises 1e-5 relative.</li>
 *   <li>NaN or infinite inputs propagate as IEEE arithmetic says, but the bit pattern of a NaN
 *       result is not specified: Java and C compilers may swap the operands of an addition,
 *       which changes which payload survives, and the GPU returns its canonical NaN. Compare NaN
 *       results with {@code isNaN}.</li>
 * </ul>
 *
 * <h2>Implementation</h2>
 * Output rows are split into contiguous bands, claimed one at a time by the calling thread and
 * the pool's threads ({@link Bands}) when the output has at least {@link #PARALLEL_THRESHOLD}
 * elements. Within a band:
 * <ul>
 *   <li>HotSpot C2 in JDK 17 only auto-vectorises a loop whose array accesses all use the same
 *       index (a loop over {@code in[r + x + 1]} and {@code acc[x]} stays scalar). So for every
 *       input row and tap column {@code kx} the kernel keeps a copy of the input that the
 *       interior output columns read, shifted so that element {@code x} is the tap of output
 *       column {@code oxLo + x}: {@code arraycopy} for stride 1, a gather for larger strides.
 *       The copies of the last {@code k} input rows are kept in a ring, so each input row is
 *       copied once per band, not once per output row.</li>
 *   <li>The interior columns of each output channel are accumulated in a row buffer with passes
 *       that are all {@code acc[x] = acc[x] + s0[x]*w0 + s1[x]*w1 + ...}: one pass per
 *       {@code (ci, ky, co)} covering the row's k taps for k == 3 and k == 5, one per tap
 *       otherwise. (A nine-tap pass would be fewer loads, but C2 does not unroll, and so does not
 *       vectorise, a loop body that large.) Passes run in the order ci, ky, kx, so every element
 *       sees exactly the naive sequence of operations.</li>
 *   <li>Border columns (some tap outside the input) use a scalar loop with bounds checks.</li>
 * </ul>
 * Memory per band: {@code (cout + cin*k*k) * interiorWidth} floats of scratch, allocated per call.
 *
 * <p>For stride 1, when the JVM has the Vector API ({@link #VECTOR}), the interior columns are
 * computed by {@link Conv2dVector} instead: vectors loaded straight from the input rows, no
 * copies and no scratch, the same operations in the same order (same bits); the columns after
 * its last whole vector take the border loop.
 */
public final class Conv2d {
  private Conv2d() {}

  /** Outputs below this count are computed on the calling thread (the fork/join overhead wins). */
  public static final int PARALLEL_THRESHOLD = 1 << 16;

  /**
   * Whether stride-1 convolutions use {@link Conv2dVector}: only when this JVM resolved the
   * incubator module ({@code --add-modules jdk.incubator.vector}, which {@code ./pipeline} and this
   * module's tests pass) and {@code -Dedgepipe.vector=false} is not set. Without it the portable
   * path computes the same bits, slower; Conv2dVector is never loaded, so it never fails to link.
   */
  static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !"false".equals(System.getProperty("edgepipe.vector"));

  /**
   * Computes {@code out = conv(in, weights) + bias}; see the class comment for the exact semantics.
   *
   * @param in      f32[cin*h*w] (may be longer)
   * @param weights f32[cout*cin*k*k], layout [cout][cin][k][k]
   * @param bias    f32[cout]
   * @param out     f32[cout*oh*ow] (may be longer), must not be {@code in}
   * @throws IllegalArgumentException for inconsistent sizes or arrays that are too short
   */
  public static void forward(float[] in, float[] weights, float[] bias, float[] out,
      int cin, int h, int w, int cout, int k, int stride, int pad, int oh, int ow) {
    forward(in, weights, bias, out, cin, h, w, cout, k, stride, pad, oh, ow, VECTOR);
  }

  /** {@link #forward} on the Vector API path if {@code vector} (and stride is 1), else the portable one. */
  static void forward(float[] in, float[] weights, float[] bias, float[] out,
      int cin, int h, int w, int cout, int k, int stride, int pad, int oh, int ow, boolean vector) {
    check(in, weights, bias, out, cin, h, w, cout, k, stride, pad, oh, ow);
    Layer l = new Layer(in, weights, bias, out, cin, h, w, cout, k, stride, pad, oh, ow,
        vector && stride == 1);
    if ((long) cout * oh * ow < PARALLEL_THRESHOLD) {
      l.band(0, oh);
      return;
    }
    // a few bands per thread, claimed one at a time (see Bands); each band re-copies up to k-1
    // input rows, which is small next to its height
    final int n = Bands.count(oh);
    Bands.run(n, b -> l.band(b * oh / n, (b + 1) * oh / n));
  }

  /** Output size along one axis: {@code (size + 2*pad - k)/stride + 1}. */
  public static int outSize(int size, int k, int stride, int pad) {
    if (size < 1 || k < 1 || stride < 1 || pad < 0 || size + 2L * pad < k) {
      throw new IllegalArgumentException("no output for size " + size + ", k " + k + ", stride "
          + stride + ", pad " + pad + " (need size >= 1, k >= 1, stride >= 1, pad >= 0, size + 2*pad >= k)");
    }
    return (int) ((size + 2L * pad - k) / stride + 1);
  }

  private static void check(float[] in, float[] weights, float[] bias, float[] out,
      int cin, int h, int w, int cout, int k, int stride, int pad, int oh, int ow) {
    if (cin < 1 || cout < 1) {
      throw new IllegalArgumentException("cin and cout must be >= 1, got " + cin + ", " + cout);
    }
    int eh = outSize(h, k, stride, pad);
    int ew = outSize(w, k, stride, pad);
    if (oh != eh || ow != ew) {
      throw new IllegalArgumentException("output " + oh + "x" + ow + " does not match input " + h + "x" + w
          + " with k " + k + ", stride " + stride + ", pad " + pad + " (expected " + eh + "x" + ew + ")");
    }
    need("in", in, (long) cin * h * w);
    need("weights", weights, (long) cout * cin * k * k);
    need("bias", bias, cout);
    need("out", out, (long) cout * oh * ow);
    if (in == out) {
      throw new IllegalArgumentException("conv2d cannot run in place");
    }
  }

  static void need(String name, float[] a, long n) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (a.length < n) {
      throw new IllegalArgumentException(name + " has " + a.length + " elements, needs " + n);
    }
  }

  /** One call's arguments and derived constants; {@link #band} computes a range of output rows. */
  private static final class Layer {
    final float[] in, wt, bias, out;
    final int cin, h, w, cout, k, stride, pad, oh, ow;
    /** Interior output columns [oxLo, oxHi): every tap of these columns is inside the input. */
    final int oxLo, oxHi, len;
    /** Interior columns through Conv2dVector (stride 1 only). */
    final boolean vector;

    Layer(float[] in, float[] wt, float[] bias, float[] out,
        int cin, int h, int w, int cout, int k, int stride, int pad, int oh, int ow, boolean vector) {
      this.in = in;
      this.wt = wt;
      this.bias = bias;
      this.out = out;
      this.cin = cin;
      this.h = h;
      this.w = w;
      this.cout = cout;
      this.k = k;
      this.stride = stride;
      this.pad = pad;
      this.oh = oh;
      this.ow = ow;
      // ox*stride - pad >= 0  and  ox*stride - pad + k <= w
      int lo = Math.min(ow, (pad + stride - 1) / stride);
      int hi = w - k + pad < 0 ? lo : Math.max(lo, Math.min(ow, (w - k + pad) / stride + 1));
      this.oxLo = lo;
      this.oxHi = hi;
      this.len = hi - lo;
      this.vector = vector;
    }

    /** Output rows [oy0, oy1) of every output channel. */
    void band(int oy0, int oy1) {
      if (vector) {
        vectorBand(oy0, oy1);
        return;
      }
      final float[][] acc = new float[len > 0 ? cout : 0][len];
      // ring[ci*k + iy%k][kx][x] = in[ci][iy][(oxLo + x)*stride - pad + kx]; ringRow says which iy
      final float[][][] ring = new float[cin * k][][];
      final int[] ringRow = new int[cin * k];
      java.util.Arrays.fill(ringRow, -1);
      for (int oy = oy0; oy < oy1; oy++) {
        final int iy0 = oy * stride - pad;
        // taps ky in [kyLo, kyHi) are inside the input rows; the rest are skipped for the whole row
        final int kyLo = Math.max(0, -iy0);
        final int kyHi = Math.min(k, h - iy0);
        if (len > 0) {
          // the first pass starts from the bias instead of reading acc, which saves a fill
          // and a load and is the same sequence of operations (acc would hold exactly bias)
          boolean first = true;
          for (int ci = 0; ci < cin; ci++) {
            for (int ky = kyLo; ky < kyHi; ky++) {
              final float[][] s = shifted(ring, ringRow, ci, iy0 + ky);
              for (int co = 0; co < cout; co++) {
                final int wr = ((co * cin + ci) * k + ky) * k;
                final float[] a = acc[co];
                if (k == 3) {
                  tap3(a, first, bias[co], s[0], s[1], s[2], wt, wr, len);
                } else if (k == 5) {
                  tap5(a, first, bias[co], s[0], s[1], s[2], s[3], s[4], wt, wr, len);
                } else {
                  tap1(a, first, bias[co], s[0], wt[wr], len);
                  for (int kx = 1; kx < k; kx++) {
                    tap1(a, false, 0f, s[kx], wt[wr + kx], len);
                  }
                }
              }
              first = false;
            }
          }
          if (first) { // no input row under this output row (pad >= k): the bias alone
            for (int co = 0; co < cout; co++) {
              java.util.Arrays.fill(acc[co], bias[co]);
            }
          }
          for (int co = 0; co < cout; co++) {
            System.arraycopy(acc[co], 0, out, (co * oh + oy) * ow + oxLo, len);
          }
        }
        // border columns: same order, skipping taps outside the input
        for (int co = 0; co < cout; co++) {
          borders(co, oy, iy0, kyLo, kyHi, oxHi);
        }
      }
    }

    /** {@link #band} with stride 1 on the Vector API: no ring of shifted copies, no row buffer. */
    private void vectorBand(int oy0, int oy1) {
      // the taps inside the input rows of one output row, in the order ci, ky, kx: offset in
      // the input from the row's first interior column, and weight for one output channel
      final int[] offs = new int[cin * k * k];
      final float[] wts = new float[cin * k * k];
      for (int oy = oy0; oy < oy1; oy++) {
        final int iy0 = oy - pad;
        final int kyLo = Math.max(0, -iy0);
        final int kyHi = Math.min(k, h - iy0);
        int taps = 0;
        for (int ci = 0; ci < cin; ci++) {
          for (int ky = kyLo; ky < kyHi; ky++) {
            for (int kx = 0; kx < k; kx++) {
              offs[taps++] = (ci * h + iy0 + ky) * w + kx;
            }
          }
        }
        for (int co = 0; co < cout; co++) {
          int done = 0;
          if (len > 0) {
            int t = 0;
            for (int ci = 0; ci < cin; ci++) {
              for (int ky = kyLo; ky < kyHi; ky++) {
                System.arraycopy(wt, ((co * cin + ci) * k + ky) * k, wts, t, k);
                t += k;
              }
            }
            done = Conv2dVector.row(in, oxLo - pad, offs, wts, taps, bias[co], out,
                (co * oh + oy) * ow + oxLo, len);
          }
          // the interior columns after the last whole vector are computed as border columns
          borders(co, oy, iy0, kyLo, kyHi, oxLo + done);
        }
      }
    }

    /** Output columns [0, oxLo) and [from, ow) of one output row, by the scalar loop. */
    private void borders(int co, int oy, int iy0, int kyLo, int kyHi, int from) {
      final int o = (co * oh + oy) * ow;
      for (int ox = 0; ox < oxLo; ox++) {
        out[o + ox] = border(co, iy0, kyLo, kyHi, ox * stride - pad);
      }
      for (int ox = from; ox < ow; ox++) {
        out[o + ox] = border(co, iy0, kyLo, kyHi, ox * stride - pad);
      }
    }

    /** The k shifted copies of input row iy of channel ci, from the ring or made now. */
    private float[][] shifted(float[][][] ring, int[] ringRow, int ci, int iy) {
      final int slot = ci * k + iy % k;
      float[][] s = ring[slot];
      if (s == null) {
        s = ring[slot] = new float[k][len];
      }
      if (ringRow[slot] != iy) {
        ringRow[slot] = iy;
        final int r = (ci * h + iy) * w + oxLo * stride - pad;
        for (int kx = 0; kx < k; kx++) {
          if (stride == 1) {
            System.arraycopy(in, r + kx, s[kx], 0, len);
          } else {
            final float[] d = s[kx];
            for (int x = 0; x < len; x++) {
              d[x] = in[r + kx + x * stride];
            }
          }
        }
      }
      return s;
    }

    private float border(int co, int iy0, int kyLo, int kyHi, int ix0) {
      final int kxLo = Math.max(0, -ix0);
      final int kxHi = Math.min(k, w - ix0);
      float acc = bias[co];
      for (int ci = 0; ci < cin; ci++) {
        for (int ky = kyLo; ky < kyHi; ky++) {
          final int r = (ci * h + iy0 + ky) * w + ix0;
          final int wr = ((co * cin + ci) * k + ky) * k;
          for (int kx = kxLo; kx < kxHi; kx++) {
            acc = acc + in[r + kx] * wt[wr + kx];
          }
        }
      }
      return acc;
    }
  }

  // The passes. Each is a unit-stride loop with every access at index x, which C2 vectorises;
  // Java evaluates a + b + c left to right and never fuses a*b+c, so the order is as written.

  private static void tap1(float[] acc, boolean first, float b, float[] s, float w0, int n) {
    if (first) {
      for (int x = 0; x < n; x++) {
        acc[x] = b + s[x] * w0;
      }
    } else {
      for (int x = 0; x < n; x++) {
        acc[x] = acc[x] + s[x] * w0;
      }
    }
  }

  private static void tap3(float[] acc, boolean first, float b, float[] s0, float[] s1, float[] s2,
      float[] wt, int wr, int n) {
    final float w0 = wt[wr], w1 = wt[wr + 1], w2 = wt[wr + 2];
    if (first) {
      for (int x = 0; x < n; x++) {
        acc[x] = b + s0[x] * w0 + s1[x] * w1 + s2[x] * w2;
      }
    } else {
      for (int x = 0; x < n; x++) {
        acc[x] = acc[x] + s0[x] * w0 + s1[x] * w1 + s2[x] * w2;
      }
    }
  }

  private static void tap5(float[] acc, boolean first, float b, float[] s0, float[] s1, float[] s2,
      float[] s3, float[] s4, float[] wt, int wr, int n) {
    final float w0 = wt[wr], w1 = wt[wr + 1], w2 = wt[wr + 2], w3 = wt[wr + 3], w4 = wt[wr + 4];
    if (first) {
      for (int x = 0; x < n; x++) {
        acc[x] = b + s0[x] * w0 + s1[x] * w1 + s2[x] * w2 + s3[x] * w3 + s4[x] * w4;
      }
    } else {
      for (int x = 0; x < n; x++) {
        acc[x] = acc[x] + s0[x] * w0 + s1[x] * w1 + s2[x] * w2 + s3[x] * w3 + s4[x] * w4;
      }
    }
  }
}
