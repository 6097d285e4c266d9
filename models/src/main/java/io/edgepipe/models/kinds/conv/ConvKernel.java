package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Kernel;
import io.edgepipe.kernels.Bands;
import io.edgepipe.models.kinds.FmaRows;
import io.edgepipe.models.kinds.VectorSupport;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * CPU twin of {@code conv2d_group_f32}: a grouped 2-D convolution (depthwise when group = cin =
 * cout) with strides, dilations and asymmetric zero padding, NCHW.
 * {@code out[n,o,y,x] = bias[o] + sum over (c in o's group, ky, kx) of
 * w[o, c, ky, kx] * in[n, g*cpg + c, y*sh - pt + ky*dh, x*sw - pl + kx*dw]} (zero outside), each
 * term added with one fused multiply-add ({@link Math#fma}) in the order c, ky, kx.
 *
 * <p>How: per (image, group) the convolution is a matrix product, output channels times operand
 * rows. The output pixels are cut into blocks; for a block the operand rows are gathered once
 * ({@link Im2col}) into per-thread scratch, and every output channel of the group sums them
 * through {@link FmaRows} into an accumulator row that is then copied to the output. Blocks (and,
 * when there are too few blocks to keep every thread busy, slices of the output channels) are
 * bands claimed by the calling thread and the pool's ({@link Bands}). Blocking and threading
 * never change any element's sequence of operations, so the result is bit-identical for any
 * thread count and to a naive loop in that order. Where the JVM has the Vector API the same
 * operations run through {@link ConvVector} instead (about twice as fast, same bits).
 */
public final class ConvKernel extends Kernel {
  public static final String NAME = "conv2d_group_f32";

  /** Below this many multiply-adds the launch runs on the calling thread alone. */
  static final long PARALLEL_WORK = 1 << 16;
  /** Operand floats per block (rows x pixels) aimed at: the block's rows stay in L2. */
  private static final int BLOCK_FLOATS = 1 << 15;
  private static final int MIN_BLOCK = 128;
  private static final int MAX_BLOCK = 512;

  /** Per-thread operand rows and accumulator, kept between launches (grown, never shrunk). */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  public ConvKernel() {
    super(NAME, "ptr in", "ptr weights", "ptr bias", "ptr out", "int n", "int cin", "int h", "int w",
        "int cout", "int kh", "int kw", "int sh", "int sw", "int pt", "int pl", "int dh", "int dw",
        "int group", "int oh", "int ow");
  }

  @Override
  public long[] elementsNeeded(int[] v) {
    positive(v, "n", "cin", "h", "w", "cout", "kh", "kw", "sh", "sw", "dh", "dw", "group", "oh", "ow");
    nonNegative(v, "pt", "pl");
    int group = v[17];
    if (v[5] % group != 0 || v[8] % group != 0) {
      throw new IllegalArgumentException("argument 17 (group) " + group + " must divide cin " + v[5] + " and cout " + v[8]);
    }
    return needs("in", (long) v[4] * v[5] * v[6] * v[7], "weights", (long) v[8] * (v[5] / group) * v[9] * v[10],
        "bias", v[8], "out", (long) v[4] * v[8] * v[18] * v[19]);
  }

  @Override
  public void runCpu(int[] v, float[][] b) {
    forward(ConvGeometry.of(v), b[0], b[1], b[2], b[3], null);
  }

  /** The convolution into {@code out}, then {@code post}'s ops on it (when not null). */
  static void forward(ConvGeometry s, float[] in, float[] wt, float[] bias, float[] out, ConvPost post) {
    if (VectorSupport.ENABLED) {
      ConvVector.forward(s, in, wt, bias, out, post);
    } else {
      forwardPortable(s, in, wt, bias, out, post);
    }
  }

  /** The path without the Vector API: same bits as {@link ConvVector}, from C2's auto-vectorised loops. */
  static void forwardPortable(ConvGeometry s, float[] in, float[] wt, float[] bias, float[] out, ConvPost post) {
    int pixels = s.pixels();
    int block = Math.min(pixels, Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, BLOCK_FLOATS / s.taps())));
    int blocks = (pixels + block - 1) / block;
    int units = s.n() * s.group() * blocks; // (image, group, pixel block)
    boolean parallel = s.multiplyAdds() >= PARALLEL_WORK && Bands.threads() > 1;
    int wanted = parallel ? 4 * Bands.threads() : 1;
    int slices = units >= wanted ? 1 : Math.min(s.outPerGroup(), (wanted + units - 1) / units);
    int perSlice = (s.outPerGroup() + slices - 1) / slices;
    IntConsumer band = u -> {
      int unit = u / slices;
      int o0 = (u % slices) * perSlice;
      int p0 = (unit % blocks) * block;
      int g = (unit / blocks) % s.group();
      int b = unit / (blocks * s.group());
      block(s, in, wt, bias, out, post, b, g, p0, Math.min(block, pixels - p0), o0,
          Math.min(s.outPerGroup(), o0 + perSlice));
    };
    int bands = units * slices;
    if (parallel) {
      Bands.run(bands, band);
    } else {
      for (int u = 0; u < bands; u++) {
        band.accept(u);
      }
    }
  }

  /** Output channels [o0, o1) of group g of image b, pixels [p0, p0 + len). */
  private static void block(ConvGeometry s, float[] in, float[] wt, float[] bias, float[] out, ConvPost post, int b,
      int g, int p0, int len, int o0, int o1) {
    Scratch t = SCRATCH.get().ensure(s.taps(), len);
    Im2col.gather(s, in, b, g, p0, len, t.rows);
    int taps = s.taps();
    int pixels = s.pixels();
    for (int o = g * s.outPerGroup() + o0; o < g * s.outPerGroup() + o1; o++) {
      Arrays.fill(t.acc, 0, len, bias[o]);
      FmaRows.accumulate(t.acc, t.rows, 0, taps, wt, o * taps, len);
      int at = (b * s.cout() + o) * pixels + p0;
      System.arraycopy(t.acc, 0, out, at, len);
      ConvPost.apply(post, out, at, at + len);
    }
  }

  private static final class Scratch {
    float[][] rows = new float[0][];
    float[] acc = new float[0];

    Scratch ensure(int taps, int len) {
      if (acc.length < len) {
        acc = new float[len];
        rows = new float[0][];
      }
      if (rows.length < taps) {
        float[][] grown = Arrays.copyOf(rows, taps);
        for (int i = rows.length; i < taps; i++) {
          grown[i] = new float[acc.length];
        }
        rows = grown;
      }
      return this;
    }
  }
}
