package io.edgepipe.models.kinds.conv;

import io.edgepipe.kernels.Bands;
import io.edgepipe.models.kinds.EvenLanes;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Conv twin written with the JDK's Vector API ({@code jdk.incubator.vector}), used when the
 * JVM runs with {@code --add-modules jdk.incubator.vector} (see {@link VectorSupport}). Every
 * output element gets exactly the operations of {@link ConvKernel}'s portable path (bias, then one
 * fused multiply-add per tap in the order c, ky, kx, zero for a tap in the padding), so the two
 * paths agree bit for bit and a JVM without the module computes the same bits, only slower.
 *
 * <p>Depthwise (one input channel per group): the input of each channel is rewritten once into
 * zero-padded planes split by stride phase ({@code plane(ry, rx)[yy][xx] = in[yy*sh + ry - pt][xx*sw + rx - pl]},
 * zero outside), each row {@code qw = ow + ((kw-1)*dw)/sw} wide. In that layout every tap of
 * every output pixel is the same plane read at a fixed offset, so output pixels can be computed
 * over a flat index {@code i = y*qw + x} in whole vectors, wrapping rows: the columns
 * {@code x >= ow} are computed and dropped. One output channel runs 4 vectors of pixels, four
 * independent chains of fused multiply-adds, into a per-thread tile whose rows are then copied
 * out. Every input element is copied once, and a channel's planes stay in L1.
 *
 * <p>Other convolutions (several input channels per group, kernel larger than 1x1) read tap
 * planes ({@link Layout#tapPlanes}): rows exactly {@code ow} wide, so each tap is a fixed offset
 * from the output pixel's own index and results go straight into the output, 4 output channels x
 * 4 vectors of pixels per micro-tile (16 accumulators, each pixel load used 4 times and each
 * weight 4 times), like a pointwise convolution.
 *
 * <p>A pointwise convolution reads the input planes as they are and writes whole vectors straight
 * into the output with the same 4x4 micro-tile. A fused epilogue runs with {@link VectorPost} on
 * each block just written, while it is in L1.
 */
final class ConvVector {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();
  /** Flat pixels per micro-tile (2 vectors). */
  private static final int TILE = 2 * L;
  /** Flat pixels per band, a multiple of TILE. */
  private static final int CHUNK = 8 * TILE;
  /**
   * Below this many multiply-adds (about 10 us here) the launch runs on the calling thread alone:
   * on a busy machine handing a small layer to a pool thread costs more than it saves.
   */
  static final long PARALLEL_WORK = 1 << 18;

  /** The calling thread's padded planes, shared read-only with the pool's threads during a launch. */
  private static final ThreadLocal<float[][]> PLANES = ThreadLocal.withInitial(() -> new float[1][0]);
  /** Each thread's tile results before they are copied to the output rows. */
  private static final ThreadLocal<float[][]> ACC = ThreadLocal.withInitial(() -> new float[1][0]);

  private ConvVector() {}

  /**
   * Where the operands of one launch are read: per input channel a block of {@code planeSize}
   * floats, tap k of channel c at {@code tapOffsets[k]} from the group's first channel, output
   * pixel (y, x) at flat index {@code y*qw + x}, {@code flat} flat indices computed.
   */
  private record Layout(int qw, int qh, int planeSize, int flat, int[] tapOffsets) {
    /** The padded, phase-split planes. */
    static Layout padded(ConvGeometry s) {
      int oxMax = (s.kw() - 1) * s.dw() / s.sw();
      int oyMax = (s.kh() - 1) * s.dh() / s.sh();
      int qw = s.ow() + oxMax;
      int qh = s.oh() + oyMax + 1;
      int planeSize = s.sh() * s.sw() * qh * qw; // all phases of one channel
      int flat = (s.oh() * qw + TILE - 1) / TILE * TILE;
      int[] taps = new int[s.taps()];
      int k = 0;
      for (int c = 0; c < s.inPerGroup(); c++) {
        for (int ky = 0; ky < s.kh(); ky++) {
          for (int kx = 0; kx < s.kw(); kx++) {
            int ry = ky * s.dh() % s.sh();
            int rx = kx * s.dw() % s.sw();
            taps[k++] = c * planeSize + ((ry * s.sw() + rx) * qh + ky * s.dh() / s.sh()) * qw + kx * s.dw() / s.sw();
          }
        }
      }
      return new Layout(qw, qh, planeSize, flat, taps);
    }

    /**
     * The tap planes: per input channel, row phase {@code ry} (0..sh-1) and kernel column kx, a
     * zero-padded plane {@code ow} wide, {@code plane(ry, kx)[yy][x] = in[yy*sh + ry - pt][x*sw + kx*dw - pl]}.
     * Tap (ky, kx) of output pixel (y, x) is {@code plane(ky*dh % sh, kx)[y + ky*dh/sh][x]}: with
     * rows exactly {@code ow} wide that is a fixed offset from the pixel's own index, so the
     * results go straight into the output, row after row, in whole vectors.
     */
    static Layout tapPlanes(ConvGeometry s) {
      int planeSize = planeRows(s) * s.ow();
      int perChannel = s.sh() * s.kw() * planeSize;
      int[] taps = new int[s.taps()];
      int k = 0;
      for (int c = 0; c < s.inPerGroup(); c++) {
        for (int ky = 0; ky < s.kh(); ky++) {
          for (int kx = 0; kx < s.kw(); kx++) {
            int plane = ky * s.dh() % s.sh() * s.kw() + kx;
            taps[k++] = c * perChannel + plane * planeSize + ky * s.dh() / s.sh() * s.ow();
          }
        }
      }
      return new Layout(s.ow(), planeRows(s), perChannel, s.pixels(), taps);
    }

    /** Rows of one tap plane: those the output rows read with the largest ky. */
    static int planeRows(ConvGeometry s) {
      return s.oh() + (s.kh() - 1) * s.dh() / s.sh();
    }

    /** A pointwise convolution reads the input itself: its planes are already laid out as the output. */
    static Layout input(ConvGeometry s) {
      int[] taps = new int[s.taps()];
      for (int c = 0; c < taps.length; c++) {
        taps[c] = c * s.pixels();
      }
      return new Layout(s.w(), s.h(), s.pixels(), s.pixels(), taps);
    }
  }

  static void forward(ConvGeometry s, float[] in, float[] wt, float[] bias, float[] out, ConvPost post) {
    boolean parallel = s.multiplyAdds() >= PARALLEL_WORK && Bands.threads() > 1;
    int opg = s.outPerGroup();
    int blocks = (opg + 3) / 4;
    if (s.pointwise()) {
      Layout q = Layout.input(s);
      int chunks = (q.flat() + CHUNK - 1) / CHUNK;
      run(parallel, s.n() * s.group() * blocks * chunks, band -> {
        int chunk = band % chunks;
        int rest = band / chunks;
        int o0 = (rest % blocks) * 4;
        int g = (rest / blocks) % s.group();
        int b = rest / (blocks * s.group());
        int base = (b * s.cin() + g * s.inPerGroup()) * q.planeSize();
        computeBand(s, q, in, base, wt, bias, out, post, b, g, o0, Math.min(4, opg - o0), chunk * CHUNK,
            Math.min(q.flat(), (chunk + 1) * CHUNK));
      });
      return;
    }
    Layout q = Layout.padded(s);
    if (s.inPerGroup() == 1) {
      // depthwise and the like: a band is one input channel, its planes built by the thread that uses them
      run(parallel, s.n() * s.group(), band -> {
        float[] planes = scratch(PLANES, q.planeSize() + TILE);
        fillPlanes(s, q, in, band, planes, 0);
        for (int o0 = 0; o0 < opg; o0 += 4) {
          for (int i0 = 0; i0 < q.flat(); i0 += CHUNK) {
            computeBand(s, q, planes, 0, wt, bias, out, post, band / s.group(), band % s.group(), o0,
                Math.min(4, opg - o0), i0, Math.min(q.flat(), i0 + CHUNK));
          }
        }
      });
      return;
    }
    // the calling thread's tap planes for every channel, then bands of (image, group, 4 outputs, pixels)
    Layout t = Layout.tapPlanes(s);
    float[] planes = scratch(PLANES, s.n() * s.cin() * t.planeSize());
    run(parallel, s.n() * s.cin(), channel -> fillTapPlanes(s, in, channel, planes, channel * t.planeSize()));
    int pixelChunks = (s.pixels() + CHUNK - 1) / CHUNK;
    run(parallel, s.n() * s.group() * blocks * pixelChunks, band -> {
      int chunk = band % pixelChunks;
      int rest = band / pixelChunks;
      int o0 = (rest % blocks) * 4;
      int g = (rest / blocks) % s.group();
      int b = rest / (blocks * s.group());
      computeBand(s, t, planes, (b * s.cin() + g * s.inPerGroup()) * t.planeSize(), wt, bias, out, post, b, g, o0,
          Math.min(4, opg - o0), chunk * CHUNK, Math.min(s.pixels(), (chunk + 1) * CHUNK));
    });
  }

  private static void run(boolean parallel, int bands, IntConsumer band) {
    if (parallel) {
      Bands.run(bands, band);
    } else {
      for (int i = 0; i < bands; i++) {
        band.accept(i);
      }
    }
  }

  private static float[] scratch(ThreadLocal<float[][]> holder, int size) {
    float[][] h = holder.get();
    if (h[0].length < size) {
      h[0] = new float[size];
    }
    return h[0];
  }

  /** The padded phase planes of input channel {@code channel} (of all images), every element written, from {@code dst}. */
  private static void fillPlanes(ConvGeometry s, Layout q, float[] in, int channel, float[] planes, int dst) {
    int src = channel * s.h() * s.w();
    for (int ry = 0; ry < s.sh(); ry++) {
      for (int rx = 0; rx < s.sw(); rx++) {
        // columns xx whose input column xx*sw + rx - pl lies in [0, w)
        int first = rx - s.pl();
        int xlo = Math.min(q.qw(), first >= 0 ? 0 : (-first + s.sw() - 1) / s.sw());
        int xhi = s.w() - 1 - first < 0 ? 0 : Math.min(q.qw(), (s.w() - 1 - first) / s.sw() + 1);
        xhi = Math.max(xlo, xhi);
        for (int yy = 0; yy < q.qh(); yy++, dst += q.qw()) {
          int iy = yy * s.sh() + ry - s.pt();
          if (iy < 0 || iy >= s.h()) {
            Arrays.fill(planes, dst, dst + q.qw(), 0f);
            continue;
          }
          zero(planes, dst, dst + xlo);
          int row = src + iy * s.w() + first;
          if (s.sw() == 1) {
            copy(in, row + xlo, planes, dst + xlo, xhi - xlo);
          } else {
            int xx = xlo;
            if (s.sw() == 2) {
              for (; xx + L <= xhi && row + 2 * xx + 2 * L <= in.length; xx += L) {
                EvenLanes.evens(in, row + 2 * xx).intoArray(planes, dst + xx);
              }
            }
            for (; xx < xhi; xx++) {
              planes[dst + xx] = in[row + xx * s.sw()];
            }
          }
          zero(planes, dst + xhi, dst + q.qw());
        }
      }
    }
  }

  /** The tap planes of input channel {@code channel} (of all images), every element written, from {@code dst}. */
  private static void fillTapPlanes(ConvGeometry s, float[] in, int channel, float[] planes, int dst) {
    int src = channel * s.h() * s.w();
    int rows = Layout.planeRows(s);
    int ow = s.ow();
    for (int ry = 0; ry < s.sh(); ry++) {
      for (int kx = 0; kx < s.kw(); kx++, dst += rows * ow) {
        // columns x whose input column x*sw + first lies in [0, w)
        int first = kx * s.dw() - s.pl();
        int xlo = Math.min(ow, first >= 0 ? 0 : (-first + s.sw() - 1) / s.sw());
        int xhi = s.w() - 1 - first < 0 ? 0 : Math.min(ow, (s.w() - 1 - first) / s.sw() + 1);
        xhi = Math.max(xlo, xhi);
        // rows yy whose input row yy*sh + ry - pt lies in [0, h)
        int ylo = Math.min(rows, Math.max(0, (s.pt() - ry + s.sh() - 1) / s.sh()));
        int yhi = Math.max(ylo, Math.min(rows, (s.h() - 1 + s.pt() - ry) / s.sh() + 1));
        Arrays.fill(planes, dst, dst + ylo * ow, 0f);
        Arrays.fill(planes, dst + yhi * ow, dst + rows * ow, 0f);
        if (s.sh() == 1 && s.sw() == 1 && ow == s.w()) {
          // rows as wide as the input's: the valid rows are one run of the input shifted by first;
          // the columns that run wraps into (x < xlo, x >= xhi) are zeroed after it
          int from = src + (ylo - s.pt()) * s.w() + first;
          int to = dst + ylo * ow;
          int n = (yhi - ylo) * ow;
          int skip = Math.max(0, -from);
          n = Math.min(n - skip, in.length - from - skip);
          if (n > 0) {
            copy(in, from + skip, planes, to + skip, n);
          }
          for (int yy = ylo; yy < yhi; yy++) {
            zero(planes, dst + yy * ow, dst + yy * ow + xlo);
            zero(planes, dst + yy * ow + xhi, dst + (yy + 1) * ow);
          }
          continue;
        }
        for (int yy = ylo; yy < yhi; yy++) {
          int at = dst + yy * ow;
          zero(planes, at, at + xlo);
          int row = src + (yy * s.sh() + ry - s.pt()) * s.w() + first;
          if (s.sw() == 1) {
            copy(in, row + xlo, planes, at + xlo, xhi - xlo);
          } else {
            int x = xlo;
            if (s.sw() == 2) {
              for (; x + L <= xhi && row + 2 * x + 2 * L <= in.length; x += L) {
                EvenLanes.evens(in, row + 2 * x).intoArray(planes, at + x);
              }
            }
            for (; x < xhi; x++) {
              planes[at + x] = in[row + x * s.sw()];
            }
          }
          zero(planes, at + xhi, at + ow);
        }
      }
    }
  }

  /**
   * {@code System.arraycopy} for the short runs of a row: inline vector moves, no call's fixed cost
   * (which, for rows of 8 to 64 floats, was as large as the copying).
   */
  private static void copy(float[] src, int from, float[] dst, int to, int n) {
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector.fromArray(SPECIES, src, from + i).intoArray(dst, to + i);
    }
    for (; i < n; i++) {
      dst[to + i] = src[from + i];
    }
  }

  private static void zero(float[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      a[i] = 0f;
    }
  }

  /**
   * Output channels [o0, o0 + count) of group g of image b over flat pixels [i0, i1), the
   * group's operands at {@code base} in {@code src}; then the post ops on the elements written.
   */
  private static void computeBand(ConvGeometry s, Layout q, float[] src, int base, float[] wt, float[] bias,
      float[] out, ConvPost post, int b, int g, int o0, int count, int i0, int i1) {
    int o = g * s.outPerGroup() + o0;
    int taps = s.taps();
    int pixels = s.pixels();
    int outBase = (b * s.cout() + o) * pixels;
    if (q.qw() == s.ow() && q.flat() == pixels) {
      // flat index = output index (pointwise): whole vectors straight into the output, the pixels
      // after them one by one; then the epilogue over what was written, still in L1
      int i = i0;
      boolean pointwise = s.pointwise();
      int[] offsets = q.tapOffsets();
      if (count == 4) {
        for (; i + 4 * L <= i1; i += 4 * L) {
          if (pointwise) {
            pointwise4x4(src, base + i, pixels, taps, wt, bias, o, out, outBase + i);
          } else {
            taps4x4(src, base + i, offsets, taps, wt, bias, o, out, outBase + i, pixels);
          }
        }
        for (; i + L <= i1; i += L) {
          if (pointwise) {
            pointwise4x1(src, base + i, pixels, taps, wt, bias, o, out, outBase + i);
          } else {
            taps4x1(src, base + i, offsets, taps, wt, bias, o, out, outBase + i, pixels);
          }
        }
      } else {
        int whole = i + (i1 - i) / L * L;
        for (int j = 0; j < count; j++) {
          for (int p = i; p < whole; p += L) {
            if (pointwise) {
              pointwise1x1(src, base + p, pixels, taps, wt, (o + j) * taps, bias[o + j], out, outBase + j * pixels + p);
            } else {
              taps1x1(src, base + p, offsets, taps, wt, (o + j) * taps, bias[o + j], out, outBase + j * pixels + p);
            }
          }
        }
        i = whole;
      }
      for (int p = i; p < i1; p++) {
        remainder(src, base + p, q.tapOffsets(), taps, wt, bias, o, count, out, outBase + p, pixels);
      }
      if (post != null) {
        for (int j = 0; j < count; j++) {
          VectorPost.apply(post, out, outBase + j * pixels + i0, outBase + j * pixels + i1);
        }
      }
      return;
    }
    float[] acc = scratch(ACC, 4 * CHUNK);
    int i = i0;
    if (count == 1) {
      for (; i + 2 * TILE <= i1; i += 2 * TILE) {
        tile1x4(src, base + i, q.tapOffsets(), taps, wt, o * taps, bias[o], acc, i - i0);
      }
    }
    for (; i < i1; i += TILE) {
      tiles(src, base + i, q.tapOffsets(), taps, wt, bias, o, count, acc, i - i0, CHUNK);
    }
    // keep the columns x < ow of each output row the flat range touches: one run of the output
    for (int j = 0; j < count; j++) {
      int first = -1;
      int end = -1;
      for (int y = i0 / q.qw(); y < s.oh() && y * q.qw() < i1; y++) {
        int x0 = Math.max(0, i0 - y * q.qw());
        int x1 = Math.min(s.ow(), i1 - y * q.qw());
        if (x1 > x0) {
          int at = outBase + j * pixels + y * s.ow() + x0;
          copy(acc, j * CHUNK + y * q.qw() + x0 - i0, out, at, x1 - x0);
          first = first < 0 ? at : first;
          end = at + x1 - x0;
        }
      }
      if (first >= 0) {
        VectorPost.apply(post, out, first, end);
      }
    }
  }

  /**
   * One pixel (operands from {@code at}) of {@code count} (1..4) output channels from o, results at
   * dst[dstAt + j*dstStride]: the pixels left over after the whole tiles, and all of a 1x1 plane
   * (a squeeze-and-excitation block's). Four channels run as four independent chains of fused
   * multiply-adds, each in tap order, so that they overlap instead of waiting on one another.
   */
  private static void remainder(float[] src, int at, int[] tapOffsets, int taps, float[] wt, float[] bias, int o,
      int count, float[] dst, int dstAt, int dstStride) {
    if (count == 4) {
      float a0 = bias[o];
      float a1 = bias[o + 1];
      float a2 = bias[o + 2];
      float a3 = bias[o + 3];
      int w0 = o * taps;
      for (int k = 0; k < taps; k++) {
        float x = src[at + tapOffsets[k]];
        a0 = Math.fma(wt[w0 + k], x, a0);
        a1 = Math.fma(wt[w0 + taps + k], x, a1);
        a2 = Math.fma(wt[w0 + 2 * taps + k], x, a2);
        a3 = Math.fma(wt[w0 + 3 * taps + k], x, a3);
      }
      dst[dstAt] = a0;
      dst[dstAt + dstStride] = a1;
      dst[dstAt + 2 * dstStride] = a2;
      dst[dstAt + 3 * dstStride] = a3;
      return;
    }
    for (int j = 0; j < count; j++) {
      float acc = bias[o + j];
      for (int k = 0; k < taps; k++) {
        acc = Math.fma(wt[(o + j) * taps + k], src[at + tapOffsets[k]], acc);
      }
      dst[dstAt + j * dstStride] = acc;
    }
  }

  /** {@code count} (1..4) output channels from o over TILE flat pixels, results at dst[dstAt + j*dstStride]. */
  private static void tiles(float[] src, int at, int[] tapOffsets, int taps, float[] wt, float[] bias, int o, int count,
      float[] dst, int dstAt, int dstStride) {
    if (count == 4) {
      tile4(src, at, tapOffsets, taps, wt, o * taps, bias, o, dst, dstAt, dstStride);
    } else {
      for (int j = 0; j < count; j++) {
        tile1(src, at, tapOffsets, taps, wt, (o + j) * taps, bias[o + j], dst, dstAt + j * dstStride);
      }
    }
  }

  /**
   * Pointwise: output channels o .. o+3 over 4L pixels, the operand of channel c at
   * {@code at + c*stride}, results (after the epilogue) at out[outAt + j*stride]. Sixteen
   * accumulators; per input channel four loads of pixels and four weights, each used four times.
   * {@link #taps4x4} with offsets {@code k*stride} computes the same, but reading the offsets from an
   * array cost BlazeFace's 1x1 convs 20-40% (quiet A/B, session 9: 0.78-0.81 ms vs 0.96-1.14 ms a
   * frame), so the pointwise tiles keep their own loops.
   */
  private static void pointwise4x4(float[] src, int at, int stride, int taps, float[] wt, float[] bias, int o,
      float[] out, int outAt) {
    FloatVector b0 = FloatVector.broadcast(SPECIES, bias[o]);
    FloatVector b1 = FloatVector.broadcast(SPECIES, bias[o + 1]);
    FloatVector b2 = FloatVector.broadcast(SPECIES, bias[o + 2]);
    FloatVector b3 = FloatVector.broadcast(SPECIES, bias[o + 3]);
    FloatVector a00 = b0, a01 = b0, a02 = b0, a03 = b0;
    FloatVector a10 = b1, a11 = b1, a12 = b1, a13 = b1;
    FloatVector a20 = b2, a21 = b2, a22 = b2, a23 = b2;
    FloatVector a30 = b3, a31 = b3, a32 = b3, a33 = b3;
    int w0 = o * taps;
    for (int k = 0; k < taps; k++) {
      int p = at + k * stride;
      FloatVector v0 = FloatVector.fromArray(SPECIES, src, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, src, p + L);
      FloatVector v2 = FloatVector.fromArray(SPECIES, src, p + 2 * L);
      FloatVector v3 = FloatVector.fromArray(SPECIES, src, p + 3 * L);
      FloatVector x = FloatVector.broadcast(SPECIES, wt[w0 + k]);
      a00 = v0.fma(x, a00);
      a01 = v1.fma(x, a01);
      a02 = v2.fma(x, a02);
      a03 = v3.fma(x, a03);
      x = FloatVector.broadcast(SPECIES, wt[w0 + taps + k]);
      a10 = v0.fma(x, a10);
      a11 = v1.fma(x, a11);
      a12 = v2.fma(x, a12);
      a13 = v3.fma(x, a13);
      x = FloatVector.broadcast(SPECIES, wt[w0 + 2 * taps + k]);
      a20 = v0.fma(x, a20);
      a21 = v1.fma(x, a21);
      a22 = v2.fma(x, a22);
      a23 = v3.fma(x, a23);
      x = FloatVector.broadcast(SPECIES, wt[w0 + 3 * taps + k]);
      a30 = v0.fma(x, a30);
      a31 = v1.fma(x, a31);
      a32 = v2.fma(x, a32);
      a33 = v3.fma(x, a33);
    }
    a00.intoArray(out, outAt);
    a01.intoArray(out, outAt + L);
    a02.intoArray(out, outAt + 2 * L);
    a03.intoArray(out, outAt + 3 * L);
    a10.intoArray(out, outAt + stride);
    a11.intoArray(out, outAt + stride + L);
    a12.intoArray(out, outAt + stride + 2 * L);
    a13.intoArray(out, outAt + stride + 3 * L);
    a20.intoArray(out, outAt + 2 * stride);
    a21.intoArray(out, outAt + 2 * stride + L);
    a22.intoArray(out, outAt + 2 * stride + 2 * L);
    a23.intoArray(out, outAt + 2 * stride + 3 * L);
    a30.intoArray(out, outAt + 3 * stride);
    a31.intoArray(out, outAt + 3 * stride + L);
    a32.intoArray(out, outAt + 3 * stride + 2 * L);
    a33.intoArray(out, outAt + 3 * stride + 3 * L);
  }

  /** {@link #pointwise4x4} over one vector of pixels. */
  private static void pointwise4x1(float[] src, int at, int stride, int taps, float[] wt, float[] bias, int o,
      float[] out, int outAt) {
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias[o]);
    FloatVector a1 = FloatVector.broadcast(SPECIES, bias[o + 1]);
    FloatVector a2 = FloatVector.broadcast(SPECIES, bias[o + 2]);
    FloatVector a3 = FloatVector.broadcast(SPECIES, bias[o + 3]);
    int w0 = o * taps;
    for (int k = 0; k < taps; k++) {
      FloatVector v = FloatVector.fromArray(SPECIES, src, at + k * stride);
      a0 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + k]), a0);
      a1 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + taps + k]), a1);
      a2 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + 2 * taps + k]), a2);
      a3 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + 3 * taps + k]), a3);
    }
    a0.intoArray(out, outAt);
    a1.intoArray(out, outAt + stride);
    a2.intoArray(out, outAt + 2 * stride);
    a3.intoArray(out, outAt + 3 * stride);
  }

  /** One output channel (weights at w0) over one vector of pixels, pointwise. */
  private static void pointwise1x1(float[] src, int at, int stride, int taps, float[] wt, int w0, float bias,
      float[] out, int outAt) {
    FloatVector a = FloatVector.broadcast(SPECIES, bias);
    for (int k = 0; k < taps; k++) {
      a = FloatVector.fromArray(SPECIES, src, at + k * stride).fma(FloatVector.broadcast(SPECIES, wt[w0 + k]), a);
    }
    a.intoArray(out, outAt);
  }


  /** Four output channels (weights at w0, w0 + taps, ...) over TILE flat pixels from {@code at}. */
  private static void tile4(float[] planes, int at, int[] tapOffsets, int taps, float[] wt, int w0, float[] bias, int o,
      float[] acc, int accAt, int accStride) {
    FloatVector a00 = FloatVector.broadcast(SPECIES, bias[o]);
    FloatVector a01 = a00;
    FloatVector a10 = FloatVector.broadcast(SPECIES, bias[o + 1]);
    FloatVector a11 = a10;
    FloatVector a20 = FloatVector.broadcast(SPECIES, bias[o + 2]);
    FloatVector a21 = a20;
    FloatVector a30 = FloatVector.broadcast(SPECIES, bias[o + 3]);
    FloatVector a31 = a30;
    int w1 = w0 + taps;
    int w2 = w1 + taps;
    int w3 = w2 + taps;
    for (int k = 0; k < taps; k++) {
      int p = at + tapOffsets[k];
      FloatVector v0 = FloatVector.fromArray(SPECIES, planes, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, planes, p + L);
      FloatVector x0 = FloatVector.broadcast(SPECIES, wt[w0 + k]);
      FloatVector x1 = FloatVector.broadcast(SPECIES, wt[w1 + k]);
      FloatVector x2 = FloatVector.broadcast(SPECIES, wt[w2 + k]);
      FloatVector x3 = FloatVector.broadcast(SPECIES, wt[w3 + k]);
      a00 = v0.fma(x0, a00);
      a01 = v1.fma(x0, a01);
      a10 = v0.fma(x1, a10);
      a11 = v1.fma(x1, a11);
      a20 = v0.fma(x2, a20);
      a21 = v1.fma(x2, a21);
      a30 = v0.fma(x3, a30);
      a31 = v1.fma(x3, a31);
    }
    a00.intoArray(acc, accAt);
    a01.intoArray(acc, accAt + L);
    a10.intoArray(acc, accAt + accStride);
    a11.intoArray(acc, accAt + accStride + L);
    a20.intoArray(acc, accAt + 2 * accStride);
    a21.intoArray(acc, accAt + 2 * accStride + L);
    a30.intoArray(acc, accAt + 3 * accStride);
    a31.intoArray(acc, accAt + 3 * accStride + L);
  }

  /** One output channel over 2 TILE (4 vectors of) flat pixels from {@code at}: four independent chains. */
  private static void tile1x4(float[] planes, int at, int[] tapOffsets, int taps, float[] wt, int w0, float bias,
      float[] acc, int accAt) {
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (int k = 0; k < taps; k++) {
      int p = at + tapOffsets[k];
      FloatVector x = FloatVector.broadcast(SPECIES, wt[w0 + k]);
      a0 = FloatVector.fromArray(SPECIES, planes, p).fma(x, a0);
      a1 = FloatVector.fromArray(SPECIES, planes, p + L).fma(x, a1);
      a2 = FloatVector.fromArray(SPECIES, planes, p + 2 * L).fma(x, a2);
      a3 = FloatVector.fromArray(SPECIES, planes, p + 3 * L).fma(x, a3);
    }
    a0.intoArray(acc, accAt);
    a1.intoArray(acc, accAt + L);
    a2.intoArray(acc, accAt + 2 * L);
    a3.intoArray(acc, accAt + 3 * L);
  }

  /** One output channel over TILE flat pixels from {@code at}. */
  private static void tile1(float[] planes, int at, int[] tapOffsets, int taps, float[] wt, int w0, float bias,
      float[] acc, int accAt) {
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias);
    FloatVector a1 = a0;
    for (int k = 0; k < taps; k++) {
      int p = at + tapOffsets[k];
      FloatVector x = FloatVector.broadcast(SPECIES, wt[w0 + k]);
      a0 = FloatVector.fromArray(SPECIES, planes, p).fma(x, a0);
      a1 = FloatVector.fromArray(SPECIES, planes, p + L).fma(x, a1);
    }
    a0.intoArray(acc, accAt);
    a1.intoArray(acc, accAt + L);
  }

  /**
   * Output channels o .. o+3 over 4L pixels, tap k of the pixels read at {@code at + tapOffsets[k]},
   * results at out[outAt + j*stride]: {@link #pointwise4x4} with the operands of a tap plane.
   */
  private static void taps4x4(float[] src, int at, int[] tapOffsets, int taps, float[] wt, float[] bias, int o,
      float[] out, int outAt, int stride) {
    FloatVector b0 = FloatVector.broadcast(SPECIES, bias[o]);
    FloatVector b1 = FloatVector.broadcast(SPECIES, bias[o + 1]);
    FloatVector b2 = FloatVector.broadcast(SPECIES, bias[o + 2]);
    FloatVector b3 = FloatVector.broadcast(SPECIES, bias[o + 3]);
    FloatVector a00 = b0, a01 = b0, a02 = b0, a03 = b0;
    FloatVector a10 = b1, a11 = b1, a12 = b1, a13 = b1;
    FloatVector a20 = b2, a21 = b2, a22 = b2, a23 = b2;
    FloatVector a30 = b3, a31 = b3, a32 = b3, a33 = b3;
    int w0 = o * taps;
    for (int k = 0; k < taps; k++) {
      int p = at + tapOffsets[k];
      FloatVector v0 = FloatVector.fromArray(SPECIES, src, p);
      FloatVector v1 = FloatVector.fromArray(SPECIES, src, p + L);
      FloatVector v2 = FloatVector.fromArray(SPECIES, src, p + 2 * L);
      FloatVector v3 = FloatVector.fromArray(SPECIES, src, p + 3 * L);
      FloatVector x = FloatVector.broadcast(SPECIES, wt[w0 + k]);
      a00 = v0.fma(x, a00);
      a01 = v1.fma(x, a01);
      a02 = v2.fma(x, a02);
      a03 = v3.fma(x, a03);
      x = FloatVector.broadcast(SPECIES, wt[w0 + taps + k]);
      a10 = v0.fma(x, a10);
      a11 = v1.fma(x, a11);
      a12 = v2.fma(x, a12);
      a13 = v3.fma(x, a13);
      x = FloatVector.broadcast(SPECIES, wt[w0 + 2 * taps + k]);
      a20 = v0.fma(x, a20);
      a21 = v1.fma(x, a21);
      a22 = v2.fma(x, a22);
      a23 = v3.fma(x, a23);
      x = FloatVector.broadcast(SPECIES, wt[w0 + 3 * taps + k]);
      a30 = v0.fma(x, a30);
      a31 = v1.fma(x, a31);
      a32 = v2.fma(x, a32);
      a33 = v3.fma(x, a33);
    }
    a00.intoArray(out, outAt);
    a01.intoArray(out, outAt + L);
    a02.intoArray(out, outAt + 2 * L);
    a03.intoArray(out, outAt + 3 * L);
    a10.intoArray(out, outAt + stride);
    a11.intoArray(out, outAt + stride + L);
    a12.intoArray(out, outAt + stride + 2 * L);
    a13.intoArray(out, outAt + stride + 3 * L);
    a20.intoArray(out, outAt + 2 * stride);
    a21.intoArray(out, outAt + 2 * stride + L);
    a22.intoArray(out, outAt + 2 * stride + 2 * L);
    a23.intoArray(out, outAt + 2 * stride + 3 * L);
    a30.intoArray(out, outAt + 3 * stride);
    a31.intoArray(out, outAt + 3 * stride + L);
    a32.intoArray(out, outAt + 3 * stride + 2 * L);
    a33.intoArray(out, outAt + 3 * stride + 3 * L);
  }

  /** {@link #taps4x4} over one vector of pixels. */
  private static void taps4x1(float[] src, int at, int[] tapOffsets, int taps, float[] wt, float[] bias, int o,
      float[] out, int outAt, int stride) {
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias[o]);
    FloatVector a1 = FloatVector.broadcast(SPECIES, bias[o + 1]);
    FloatVector a2 = FloatVector.broadcast(SPECIES, bias[o + 2]);
    FloatVector a3 = FloatVector.broadcast(SPECIES, bias[o + 3]);
    int w0 = o * taps;
    for (int k = 0; k < taps; k++) {
      FloatVector v = FloatVector.fromArray(SPECIES, src, at + tapOffsets[k]);
      a0 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + k]), a0);
      a1 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + taps + k]), a1);
      a2 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + 2 * taps + k]), a2);
      a3 = v.fma(FloatVector.broadcast(SPECIES, wt[w0 + 3 * taps + k]), a3);
    }
    a0.intoArray(out, outAt);
    a1.intoArray(out, outAt + stride);
    a2.intoArray(out, outAt + 2 * stride);
    a3.intoArray(out, outAt + 3 * stride);
  }

  /** One output channel (weights at w0) over one vector of pixels. */
  private static void taps1x1(float[] src, int at, int[] tapOffsets, int taps, float[] wt, int w0, float bias,
      float[] out, int outAt) {
    FloatVector a = FloatVector.broadcast(SPECIES, bias);
    for (int k = 0; k < taps; k++) {
      a = FloatVector.fromArray(SPECIES, src, at + tapOffsets[k]).fma(FloatVector.broadcast(SPECIES, wt[w0 + k]), a);
    }
    a.intoArray(out, outAt);
  }}
