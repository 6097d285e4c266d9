package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Epilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvPost}'s ops with the Vector API, over a block of results the Conv has just written
 * (still in L1): each vector is loaded once, goes through every op in registers, and is stored
 * once, where the scalar {@link Epilogue#apply} makes a pass over the block per op and copies it
 * for an op that reads the head. Lane by lane these are the float operations of
 * {@link Epilogue#apply}'s loops, in the same order on the same values ({@code max}/{@code min}
 * are {@link Math#max}/{@link Math#min}, NaN and signed zeros included; {@code alpha * x + beta}
 * stays a multiply then an add, never one fused multiply-add), so the bits are the same.
 *
 * <p>One method on purpose: a vector passed to or returned from a method that HotSpot does not
 * inline is boxed (an allocation per call), and whether it inlines a helper depends on the
 * profile and on what was compiled first, so helpers made the speed vary from run to run.
 */
final class VectorPost {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  private VectorPost() {}

  /** The ops over {@code out[from, to)} in place; nothing when there is no post. */
  static void apply(ConvPost post, float[] out, int from, int to) {
    if (post == null) {
      return;
    }
    float[] p = post.program();
    int ops = post.ops();
    check(p, ops);
    float[] extra = post.extra();
    int i = from;
    for (; i + L <= to; i += L) {
      FloatVector v = FloatVector.fromArray(SPECIES, out, i);
      FloatVector head = v;
      for (int k = 0; k < ops; k++) {
        int w = k * Epilogue.WORDS;
        int code = (int) p[w];
        float a = p[w + 1];
        float b = p[w + 2];
        if (code == Epilogue.RELU) {
          v = v.max(0f);
        } else if (code == Epilogue.CLIP) {
          v = v.max(a).min(b);
        } else if (code == Epilogue.HARDSIGMOID) {
          v = v.mul(a).add(b).min(1f).max(0f);
        } else {
          int source = (int) a;
          FloatVector t = source == Epilogue.SCALAR ? FloatVector.broadcast(SPECIES, p[w + 3])
              : source == Epilogue.HEAD ? head : FloatVector.fromArray(SPECIES, extra, i);
          FloatVector l = b != 0 ? t : v;
          FloatVector r = b != 0 ? v : t;
          v = code == Epilogue.ADD ? l.add(r) : code == Epilogue.MUL ? l.mul(r) : l.div(r);
        }
      }
      v.intoArray(out, i);
    }
    post.apply(out, i, to);
  }

  /** Refuses a program the loop above would misread (it tells the codes apart by elimination). */
  private static void check(float[] p, int ops) {
    for (int k = 0; k < ops; k++) {
      int code = (int) p[k * Epilogue.WORDS];
      int source = (int) p[k * Epilogue.WORDS + 1];
      if (code < Epilogue.RELU || code > Epilogue.DIV) {
        throw new IllegalArgumentException("epilogue op " + k + ": unknown code " + code);
      }
      if (code >= Epilogue.ADD && (source < Epilogue.SCALAR || source > Epilogue.HEAD)) {
        throw new IllegalArgumentException("epilogue op " + k + ": unknown operand source " + source);
      }
    }
  }
}
