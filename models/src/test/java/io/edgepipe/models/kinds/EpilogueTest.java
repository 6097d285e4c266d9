package io.edgepipe.models.kinds;

import static io.edgepipe.models.kinds.KindHarness.attrs;
import static io.edgepipe.models.kinds.KindHarness.node;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each op of a fused epilogue gives the bits of its layer's own kernel, on values where Java's
 * float semantics are particular (-0, NaN, infinities, zero divisors): what makes a model's
 * result independent of whether a cut separates a Conv from the layers after it.
 */
class EpilogueTest {
  private static final int[] SHAPE = {2, 3, 5, 7};
  private static final int N = 2 * 3 * 5 * 7;

  private static float[] values() {
    float[] v = KindHarness.random(N);
    float[] specials = {-0f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -3f, 3f, 6f, -2.5f, 1e-40f};
    System.arraycopy(specials, 0, v, 0, specials.length);
    return v;
  }

  /** One op over x (the running value, also the head) with {@code extra} as its EXTRA operand. */
  private static float[] fused(Epilogue.Op op, float[] x, float[] extra) {
    float[] out = x.clone();
    Epilogue.apply(new Epilogue(List.of(op)).program(), 1, out, 0, N, extra);
    return out;
  }

  @Test
  void unaryOpsGiveTheirKernelsBits() {
    float[] x = values();
    for (Object[] c : new Object[][] {
        {"Relu", attrs(), Epilogue.Op.unary(Epilogue.RELU, 0, 0)},
        {"Clip", attrs("min", 0f, "max", 6f), Epilogue.Op.unary(Epilogue.CLIP, 0f, 6f)},
        {"Clip", attrs("min", -0f, "max", 0.5f), Epilogue.Op.unary(Epilogue.CLIP, -0f, 0.5f)},
        {"HardSigmoid", attrs("alpha", 0.2f, "beta", 0.5f), Epilogue.Op.unary(Epilogue.HARDSIGMOID, 0.2f, 0.5f)},
        {"HardSigmoid", attrs("alpha", 1f / 6, "beta", 0.5f), Epilogue.Op.unary(Epilogue.HARDSIGMOID, 1f / 6, 0.5f)}}) {
      String op = (String) c[0];
      @SuppressWarnings("unchecked")
      Map<String, Object> a = (Map<String, Object>) c[1];
      Layer layer = LayerKinds.of(op).create(node(op, 13, a, List.of(SHAPE), List.of()));
      Epilogue.Kind k = layer.epilogueKind();
      assertNotNull(k, op + " can be fused");
      Epilogue.Op fromLayer = Epilogue.Op.unary(k.code(), k.p1(), k.p2());
      KindHarness.assertExact(fused((Epilogue.Op) c[2], x, null), fused(fromLayer, x, null), op + " " + a
          + ": the layer's op is the expected one");
      KindHarness.assertExact(KindHarness.run(layer, List.of(x)), fused(fromLayer, x, null), op + " " + a);
    }
  }

  @Test
  void binaryOpsGiveTheirKernelsBitsOnEitherSide() {
    float[] x = values();
    float[] t = values();
    Arrays.fill(t, 10, 20, 0f); // zero divisors
    t[20] = -0f;
    for (String op : List.of("Add", "Mul", "Div")) {
      int code = LayerKinds.of(op).create(node(op, 13, attrs(), List.of(SHAPE, SHAPE), List.of())).epilogueKind().code();
      for (float s : new float[] {3f, 6f, -0f, 0f, Float.NaN}) {
        float[] scalar = {s};
        // value on the left: op(x, s); on the right: op(s, x)
        KindHarness.assertExact(KindHarness.run(layer(op, SHAPE, new int[] {1}, null, scalar), Arrays.asList(x, scalar)),
            fused(Epilogue.Op.binary(code, Epilogue.SCALAR, false, s), x, null), op + "(x, " + s + ")");
        KindHarness.assertExact(KindHarness.run(layer(op, new int[] {1}, SHAPE, scalar, null), Arrays.asList(scalar, x)),
            fused(Epilogue.Op.binary(code, Epilogue.SCALAR, true, s), x, null), op + "(" + s + ", x)");
      }
      KindHarness.assertExact(KindHarness.run(layer(op, SHAPE, SHAPE, null, null), List.of(x, t)),
          fused(Epilogue.Op.binary(code, Epilogue.EXTRA, false, 0), x, t), op + "(x, extra)");
      KindHarness.assertExact(KindHarness.run(layer(op, SHAPE, SHAPE, null, null), List.of(t, x)),
          fused(Epilogue.Op.binary(code, Epilogue.EXTRA, true, 0), x, t), op + "(extra, x)");
      // the head: the value after an earlier op (here Clip) combined with the Conv's own result
      float[] head = x;
      float[] clipped = KindHarness.run(LayerKinds.of("Clip").create(node("Clip", 13, attrs("min", 0f, "max", 6f),
          List.of(SHAPE), List.of())), List.of(head));
      float[] program = new Epilogue(List.of(Epilogue.Op.unary(Epilogue.CLIP, 0f, 6f),
          Epilogue.Op.binary(code, Epilogue.HEAD, true, 0))).program();
      float[] viaEpilogue = head.clone();
      Epilogue.apply(program, 2, viaEpilogue, 0, N, null);
      KindHarness.assertExact(KindHarness.run(layer(op, SHAPE, SHAPE, null, null), List.of(head, clipped)), viaEpilogue,
          op + "(head, clip(head))");
    }
  }

  @Test
  void kindsThatCannotBeFusedSayNone() {
    assertNull(LayerKinds.of("LeakyRelu").create(node("LeakyRelu", 13, attrs("alpha", 0.1f), List.of(SHAPE), List.of()))
        .epilogueKind());
  }

  private static Layer layer(String op, int[] a, int[] b, float[] ca, float[] cb) {
    return LayerKinds.of(op).create(node(op, 13, attrs(), List.of(a, b), Arrays.asList(ca, cb)));
  }
}
