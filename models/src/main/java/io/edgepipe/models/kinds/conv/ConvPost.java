package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Epilogue;

/**
 * The element-wise ops a fused Conv launch applies to its results ({@link Epilogue}'s program and
 * the tensor its EXTRA operand reads), run by the thread that computed each block of the output
 * right after computing it, on exactly those elements.
 */
record ConvPost(float[] program, int ops, float[] extra) {
  /** Applies the ops to {@code out[from, to)}, which holds the convolution's results. */
  void apply(float[] out, int from, int to) {
    Epilogue.apply(program, ops, out, from, to, extra);
  }

  /** Applies them to {@code out[from, to)} when there is a post, else does nothing. */
  static void apply(ConvPost post, float[] out, int from, int to) {
    if (post != null) {
      post.apply(out, from, to);
    }
  }
}
