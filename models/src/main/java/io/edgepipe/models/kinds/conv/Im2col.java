package io.edgepipe.models.kinds.conv;

import java.util.Arrays;

/**
 * Gathers the operand rows of a convolution for one block of output pixels: row
 * {@code (c*kh + ky)*kw + kx} holds, for each output pixel p of the block, the input value that
 * tap (ky, kx) of input channel c of the group multiplies, or 0 where the tap falls in the
 * padding. Each row is its own array indexed from 0, the layout {@link
 * io.edgepipe.models.kinds.FmaRows} vectorises.
 */
final class Im2col {
  private Im2col() {}

  /**
   * Fills {@code rows[0 .. taps)} with pixels {@code [p0, p0 + len)} of group {@code g} of image
   * {@code b}.
   */
  static void gather(ConvGeometry s, float[] in, int b, int g, int p0, int len, float[][] rows) {
    int plane = s.h() * s.w();
    int firstChannel = b * s.cin() + g * s.inPerGroup();
    if (s.pointwise()) {
      for (int c = 0; c < s.inPerGroup(); c++) {
        System.arraycopy(in, (firstChannel + c) * plane + p0, rows[c], 0, len);
      }
      return;
    }
    int k = 0;
    for (int c = 0; c < s.inPerGroup(); c++) {
      int base = (firstChannel + c) * plane;
      for (int ky = 0; ky < s.kh(); ky++) {
        for (int kx = 0; kx < s.kw(); kx++) {
          tap(s, in, base, ky, kx, p0, len, rows[k++]);
        }
      }
    }
  }

  /** One operand row: tap (ky, kx) of the input plane at {@code base}, for pixels [p0, p0 + len). */
  private static void tap(ConvGeometry s, float[] in, int base, int ky, int kx, int p0, int len, float[] row) {
    int ow = s.ow();
    int sw = s.sw();
    int offX = kx * s.dw() - s.pl(); // input column of output column x is x*sw + offX
    // output columns whose input column lies inside [0, w)
    int xlo = offX >= 0 ? 0 : (-offX + sw - 1) / sw;
    int xhi = s.w() - 1 - offX < 0 ? 0 : Math.min(ow, (s.w() - 1 - offX) / sw + 1);
    int y = p0 / ow;
    int x = p0 % ow;
    for (int i = 0; i < len; y++, x = 0) {
      int seg = Math.min(ow - x, len - i);
      int iy = y * s.sh() - s.pt() + ky * s.dh();
      if (iy < 0 || iy >= s.h()) {
        Arrays.fill(row, i, i + seg, 0f);
      } else {
        int a = Math.max(x, Math.min(xlo, x + seg));
        int e = Math.max(a, Math.min(xhi, x + seg));
        Arrays.fill(row, i, i + a - x, 0f);
        int src = base + iy * s.w() + offX;
        if (sw == 1) {
          System.arraycopy(in, src + a, row, i + a - x, e - a);
        } else {
          for (int xx = a; xx < e; xx++) {
            row[i + xx - x] = in[src + xx * sw];
          }
        }
        Arrays.fill(row, i + e - x, i + seg, 0f);
      }
      i += seg;
    }
  }
}
