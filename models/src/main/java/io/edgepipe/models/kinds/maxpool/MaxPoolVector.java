package io.edgepipe.models.kinds.maxpool;

import io.edgepipe.models.kinds.EvenLanes;
import jdk.incubator.vector.FloatVector;

/**
 * The 2x2 stride-2 MaxPool twin with the Vector API (BlazeFace's): per output row, L outputs at
 * a time from the even and odd columns of the window's two input rows ({@link EvenLanes}). The
 * same {@link Math#max} expression as the scalar loop, lane by lane, so the same bits. Load only
 * behind {@code VectorSupport.ENABLED}.
 */
final class MaxPoolVector {
  private static final int L = EvenLanes.L;

  private MaxPoolVector() {}

  /** Output rows of channel c: every window inside the input (no padding), w the input row length. */
  static void channel(float[] in, float[] out, int c, int h, int w, int oh, int ow) {
    for (int y = 0; y < oh; y++) {
      int o = (c * oh + y) * ow;
      int r0 = (c * h + 2 * y) * w;
      int r1 = r0 + w;
      int x = 0;
      // whole vectors whose 2L input columns lie inside the array (a row's last may read into the next row: unused lanes)
      for (; x + L <= ow && r1 + 2 * x + 2 * L <= in.length; x += L) {
        FloatVector top = EvenLanes.evens(in, r0 + 2 * x).max(EvenLanes.odds(in, r0 + 2 * x));
        FloatVector bottom = EvenLanes.evens(in, r1 + 2 * x).max(EvenLanes.odds(in, r1 + 2 * x));
        top.max(bottom).intoArray(out, o + x);
      }
      for (; x < ow; x++) {
        out[o + x] = Math.max(Math.max(in[r0 + 2 * x], in[r0 + 2 * x + 1]), Math.max(in[r1 + 2 * x], in[r1 + 2 * x + 1]));
      }
    }
  }
}
