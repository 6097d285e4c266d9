package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Epilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvPost}'s ops with the Vector API, over a block of results the Conv has just written
 * (still in L1): one tight vector loop per op over the block, where the scalar
 * {@link Epilogue#apply} runs a scalar loop per op. Lane by lane these are the float operations of
 * {@link Epilogue#apply}'s loops, in the same order on the same values ({@code max}/{@code min}
 * are {@link Math#max}/{@link Math#min}, NaN and signed zeros included; {@code alpha * x + beta}
 * stays a multiply then an add, never one fused multiply-add), so the bits are the same.
 *
 * <p>Why a loop per op and one loop per operand order: a loop that picks between vectors inside
 * it (an op's code, which side the running value is on) merges them in a phi that HotSpot may
 * box, an allocation per vector; measured here, a Conv 1x1's Add + Relu then took as long as the
 * convolution. A program that reads the head (the producer's own results, a hard-swish) keeps
 * the one-pass form, which needs no copy of the head.
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
    for (int k = 0; k < ops; k++) {
      if ((int) p[k * Epilogue.WORDS] >= Epilogue.ADD && (int) p[k * Epilogue.WORDS + 1] == Epilogue.HEAD) {
        applyReadingHead(post, out, from, to);
        return;
      }
    }
    int whole = from + (to - from) / L * L;
    for (int k = 0; k < ops; k++) {
      int w = k * Epilogue.WORDS;
      int code = (int) p[w];
      float a = p[w + 1];
      float b = p[w + 2];
      switch (code) {
        case Epilogue.RELU -> relu(out, from, whole);
        case Epilogue.CLIP -> clip(out, from, whole, a, b);
        case Epilogue.HARDSIGMOID -> hardSigmoid(out, from, whole, a, b);
        default -> {
          if ((int) a == Epilogue.SCALAR) {
            scalar(code, b != 0, out, p[w + 3], from, whole);
          } else {
            tensor(code, b != 0, out, post.extra(), from, whole);
          }
        }
      }
    }
    post.apply(out, whole, to);
  }

  private static void relu(float[] v, int from, int to) {
    for (int i = from; i < to; i += L) {
      FloatVector.fromArray(SPECIES, v, i).max(0f).intoArray(v, i);
    }
  }

  private static void clip(float[] v, int from, int to, float lo, float hi) {
    for (int i = from; i < to; i += L) {
      FloatVector.fromArray(SPECIES, v, i).max(lo).min(hi).intoArray(v, i);
    }
  }

  private static void hardSigmoid(float[] v, int from, int to, float alpha, float beta) {
    for (int i = from; i < to; i += L) {
      FloatVector.fromArray(SPECIES, v, i).mul(alpha).add(beta).min(1f).max(0f).intoArray(v, i);
    }
  }

  /** {@code v op s}, or {@code s op v} when {@code right}. */
  private static void scalar(int code, boolean right, float[] v, float s, int from, int to) {
    FloatVector t = FloatVector.broadcast(SPECIES, s);
    if (code == Epilogue.ADD && right) {
      for (int i = from; i < to; i += L) {
        t.add(FloatVector.fromArray(SPECIES, v, i)).intoArray(v, i);
      }
    } else if (code == Epilogue.ADD) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, v, i).add(t).intoArray(v, i);
      }
    } else if (code == Epilogue.MUL && right) {
      for (int i = from; i < to; i += L) {
        t.mul(FloatVector.fromArray(SPECIES, v, i)).intoArray(v, i);
      }
    } else if (code == Epilogue.MUL) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, v, i).mul(t).intoArray(v, i);
      }
    } else if (right) {
      for (int i = from; i < to; i += L) {
        t.div(FloatVector.fromArray(SPECIES, v, i)).intoArray(v, i);
      }
    } else {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, v, i).div(t).intoArray(v, i);
      }
    }
  }

  /** {@code v op t} element by element, or {@code t op v} when {@code right}. */
  private static void tensor(int code, boolean right, float[] v, float[] t, int from, int to) {
    if (code == Epilogue.ADD && right) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, t, i).add(FloatVector.fromArray(SPECIES, v, i)).intoArray(v, i);
      }
    } else if (code == Epilogue.ADD) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, v, i).add(FloatVector.fromArray(SPECIES, t, i)).intoArray(v, i);
      }
    } else if (code == Epilogue.MUL && right) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, t, i).mul(FloatVector.fromArray(SPECIES, v, i)).intoArray(v, i);
      }
    } else if (code == Epilogue.MUL) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, v, i).mul(FloatVector.fromArray(SPECIES, t, i)).intoArray(v, i);
      }
    } else if (right) {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, t, i).div(FloatVector.fromArray(SPECIES, v, i)).intoArray(v, i);
      }
    } else {
      for (int i = from; i < to; i += L) {
        FloatVector.fromArray(SPECIES, v, i).div(FloatVector.fromArray(SPECIES, t, i)).intoArray(v, i);
      }
    }
  }

  /**
   * The ops in one pass, each vector loaded once and taken through every op in registers: for a
   * program that reads the head, which is then still in a register (no copy of the block).
   */
  private static void applyReadingHead(ConvPost post, float[] out, int from, int to) {
    float[] p = post.program();
    int ops = post.ops();
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
