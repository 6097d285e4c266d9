package io.edgepipe.models.kinds;

import io.edgepipe.vgpu.DevicePtr;
import java.util.List;

/**
 * Element-wise layers run inside the launch of the layer that produces their input (a Conv), on
 * its results while they are still in cache, instead of as launches of their own that re-read the
 * whole tensor: Relu, Clip, HardSigmoid, and Add, Mul or Div whose other operand is a one-element
 * constant, the producer's own output (the {@code x * clip(x + 3, 0, 6) / 6} of a hard-swish) or
 * a tensor computed earlier laid out as the output (a residual).
 *
 * <p>Each op computes exactly what the layer's own kernel computes, the same float operations in
 * the same order on the same values (the expressions below are those of the kinds' twins, and
 * the CUDA side {@code epilogue.cuh} is those of their {@code .cu}), so a model gives the same bits
 * whether a cut separates a Conv from its activation (two launches) or not (one): fusion is an
 * execution detail of a partition, decided by {@code PartitionRunner}.
 *
 * <p>On the device the ops are a program: {@link #WORDS} floats per op ({@code code, a, b, c}),
 * read by the fused kernel from a buffer uploaded once.
 */
public record Epilogue(List<Op> ops) {
  public static final int RELU = 1;
  public static final int CLIP = 2;
  public static final int HARDSIGMOID = 3;
  public static final int ADD = 4;
  public static final int MUL = 5;
  public static final int DIV = 6;

  /** Where the other operand of an ADD, MUL or DIV comes from. */
  public static final int SCALAR = 0;
  public static final int EXTRA = 1;
  public static final int HEAD = 2;

  /** Floats per op in the program. */
  public static final int WORDS = 4;

  /**
   * One op: unary ({@code a}, {@code b} its parameters: Clip's bounds, HardSigmoid's alpha and
   * beta) or binary ({@code a} the operand's source, {@code b} 1 when the running value is the
   * right-hand operand, {@code c} the scalar).
   */
  public record Op(int code, float a, float b, float c) {
    public static Op unary(int code, float p1, float p2) {
      return new Op(code, p1, p2, 0);
    }

    public static Op binary(int code, int source, boolean valueOnRight, float scalar) {
      return new Op(code, source, valueOnRight ? 1 : 0, scalar);
    }

    boolean reads(int source) {
      return code >= ADD && (int) a == source;
    }
  }

  /** What a layer contributes to an epilogue: its op code and, for a unary op, its parameters. */
  public record Kind(int code, float p1, float p2) {
    public boolean binary() {
      return code >= ADD;
    }
  }

  public boolean usesHead() {
    return ops.stream().anyMatch(o -> o.reads(HEAD));
  }

  public boolean usesExtra() {
    return ops.stream().anyMatch(o -> o.reads(EXTRA));
  }

  /** The device program: {@link #WORDS} floats per op. */
  public float[] program() {
    float[] p = new float[Math.max(1, ops.size() * WORDS)];
    for (int i = 0; i < ops.size(); i++) {
      Op o = ops.get(i);
      p[i * WORDS] = o.code();
      p[i * WORDS + 1] = o.a();
      p[i * WORDS + 2] = o.b();
      p[i * WORDS + 3] = o.c();
    }
    return p;
  }

  /** A layer whose launch can run an epilogue on its results (Conv). */
  public interface Host extends Layer {
    /**
     * Queues the layer's launch followed by {@code e} on its results, as one launch: the output
     * is what the layer and then each op's own launch would leave in the last op's output.
     *
     * @param program {@code e.program()} on the device
     * @param extra   the EXTRA operand's tensor (laid out as the output), or any buffer when
     *                {@code e} does not read one
     */
    void launch(Launcher l, List<DevicePtr> in, Epilogue e, DevicePtr program, DevicePtr extra, DevicePtr out);
  }

  /** Per-thread copy of the head for the ops that read it, at the output's own indices. */
  private static final ThreadLocal<float[][]> HEAD_COPY = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * Runs {@code ops} ops of {@code program} over {@code out[from, to)} in place: on entry it holds
   * the producer's results (the head), on return the last op's; {@code extra} is read at the same
   * indices. Every loop indexes all its arrays with the same i (the form HotSpot C2 vectorises).
   */
  public static void apply(float[] program, int ops, float[] out, int from, int to, float[] extra) {
    if (ops == 0 || to <= from) {
      return;
    }
    float[] head = null;
    for (int k = 0; k < ops; k++) {
      if (program[k * WORDS] >= ADD && (int) program[k * WORDS + 1] == HEAD) {
        float[][] holder = HEAD_COPY.get();
        if (holder[0].length < to) {
          holder[0] = new float[out.length];
        }
        head = holder[0];
        System.arraycopy(out, from, head, from, to - from);
        break;
      }
    }
    for (int k = 0; k < ops; k++) {
      int code = (int) program[k * WORDS];
      float a = program[k * WORDS + 1];
      float b = program[k * WORDS + 2];
      float c = program[k * WORDS + 3];
      switch (code) {
        case RELU -> relu(out, from, to);
        case CLIP -> clip(out, from, to, a, b);
        case HARDSIGMOID -> hardSigmoid(out, from, to, a, b);
        case ADD, MUL, DIV -> {
          boolean right = b != 0;
          switch ((int) a) {
            case SCALAR -> scalar(code, out, from, to, c, right);
            case EXTRA -> tensor(code, out, extra, from, to, right);
            case HEAD -> tensor(code, out, head, from, to, right);
            default -> throw new IllegalArgumentException("epilogue op " + k + ": unknown operand source " + a);
          }
        }
        default -> throw new IllegalArgumentException("epilogue op " + k + ": unknown code " + code);
      }
    }
  }

  // The loops: the expressions of the kinds' own twins (Relu, ClipKind, HardSigmoidKind, Add/Mul/DivKind).

  private static void relu(float[] v, int from, int to) {
    for (int i = from; i < to; i++) {
      v[i] = Math.max(v[i], 0f);
    }
  }

  private static void clip(float[] v, int from, int to, float lo, float hi) {
    for (int i = from; i < to; i++) {
      v[i] = Math.min(Math.max(v[i], lo), hi);
    }
  }

  private static void hardSigmoid(float[] v, int from, int to, float alpha, float beta) {
    for (int i = from; i < to; i++) {
      v[i] = Math.max(0f, Math.min(1f, alpha * v[i] + beta));
    }
  }

  private static void scalar(int code, float[] v, int from, int to, float s, boolean right) {
    switch (code) {
      case ADD -> {
        if (right) {
          for (int i = from; i < to; i++) {
            v[i] = s + v[i];
          }
        } else {
          for (int i = from; i < to; i++) {
            v[i] = v[i] + s;
          }
        }
      }
      case MUL -> {
        if (right) {
          for (int i = from; i < to; i++) {
            v[i] = s * v[i];
          }
        } else {
          for (int i = from; i < to; i++) {
            v[i] = v[i] * s;
          }
        }
      }
      default -> {
        if (right) {
          for (int i = from; i < to; i++) {
            v[i] = s / v[i];
          }
        } else {
          for (int i = from; i < to; i++) {
            v[i] = v[i] / s;
          }
        }
      }
    }
  }

  private static void tensor(int code, float[] v, float[] t, int from, int to, boolean right) {
    switch (code) {
      case ADD -> {
        if (right) {
          for (int i = from; i < to; i++) {
            v[i] = t[i] + v[i];
          }
        } else {
          for (int i = from; i < to; i++) {
            v[i] = v[i] + t[i];
          }
        }
      }
      case MUL -> {
        if (right) {
          for (int i = from; i < to; i++) {
            v[i] = t[i] * v[i];
          }
        } else {
          for (int i = from; i < to; i++) {
            v[i] = v[i] * t[i];
          }
        }
      }
      default -> {
        if (right) {
          for (int i = from; i < to; i++) {
            v[i] = t[i] / v[i];
          }
        } else {
          for (int i = from; i < to; i++) {
            v[i] = v[i] / t[i];
          }
        }
      }
    }
  }
}
