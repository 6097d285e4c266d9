package io.edgepipe.models.kinds.conv;

import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Kernel;

/**
 * CPU twin of {@code conv2d_group_epilogue_f32}: {@code conv2d_group_f32} (same arguments, same
 * bits), then the {@link Epilogue} program's {@code ops} ops on each output element, the EXTRA
 * operand read from {@code extra} at the element's own index ({@code extraUsed} 1; otherwise
 * {@code extra} is not read and may be any buffer). The output is what launching the Conv and then
 * each op's own kernel would leave in the last op's output.
 */
public final class ConvEpilogueKernel extends Kernel {
  public static final String NAME = "conv2d_group_epilogue_f32";
  /** Position of the first of the 16 Conv sizes (n .. ow) in the signature. */
  private static final int SIZES = 6;

  public ConvEpilogueKernel() {
    super(NAME, "ptr in", "ptr weights", "ptr bias", "ptr program", "ptr extra", "ptr out", "int n", "int cin",
        "int h", "int w", "int cout", "int kh", "int kw", "int sh", "int sw", "int pt", "int pl", "int dh", "int dw",
        "int group", "int oh", "int ow", "int ops", "int extraUsed");
  }

  @Override
  public long[] elementsNeeded(int[] v) {
    positive(v, "n", "cin", "h", "w", "cout", "kh", "kw", "sh", "sw", "dh", "dw", "group", "oh", "ow");
    nonNegative(v, "pt", "pl", "ops", "extraUsed");
    int group = v[index("group")];
    int cin = v[index("cin")];
    int cout = v[index("cout")];
    if (cin % group != 0 || cout % group != 0) {
      throw new IllegalArgumentException("argument " + index("group") + " (group) " + group + " must divide cin " + cin
          + " and cout " + cout);
    }
    ConvGeometry s = ConvGeometry.of(v, SIZES);
    long out = (long) s.n() * s.cout() * s.pixels();
    return needs("in", (long) s.n() * s.cin() * s.h() * s.w(), "weights", (long) s.cout() * s.taps(), "bias", s.cout(),
        "program", (long) v[index("ops")] * Epilogue.WORDS, "extra", v[index("extraUsed")] == 0 ? 0 : out, "out", out);
  }

  @Override
  public void runCpu(int[] v, float[][] b) {
    ConvPost post = new ConvPost(b[3], v[index("ops")], b[4]);
    ConvKernel.forward(ConvGeometry.of(v, SIZES), b[0], b[1], b[2], b[5], post);
  }
}
