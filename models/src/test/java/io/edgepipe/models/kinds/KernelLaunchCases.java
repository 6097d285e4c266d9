package io.edgepipe.models.kinds;

import static io.edgepipe.models.kinds.KindHarness.attrs;
import static io.edgepipe.models.kinds.KindHarness.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every registered kernel launched the way its layer kind launches it, on odd shapes (sizes that
 * are not multiples of the block, asymmetric pads, broadcasting, groups, transposes) and on the
 * float values where Java's semantics are particular (-0, NaN, infinities), recorded with the CPU
 * twin's results for another implementation of the kernels to replay.
 */
final class KernelLaunchCases {
  private KernelLaunchCases() {}

  /** Records one run of every case; each launch is labelled with its case. */
  static List<LaunchRecorder.Recorded> record() {
    Random r = new Random(2024);
    try (LaunchRecorder rec = new LaunchRecorder()) {
      conv(rec, r, "conv grouped strided dilated asymmetric", new int[] {2, 6, 7, 9}, 4, 3, 2,
          attrs("strides", new int[] {2, 1}, "pads", new int[] {1, 0, 2, 1}, "dilations", new int[] {1, 2}, "group", 2));
      conv(rec, r, "conv depthwise", new int[] {1, 5, 11, 13}, 5, 3, 3,
          attrs("strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}, "group", 5));
      conv(rec, r, "conv pointwise", new int[] {1, 3, 5, 7}, 5, 1, 1, attrs());
      conv(rec, r, "conv 5x5", new int[] {1, 3, 17, 15}, 4, 5, 5,
          attrs("strides", new int[] {2, 2}, "pads", new int[] {1, 1, 2, 2}));
      convFused(rec, r, "conv pointwise + hard-swish + residual + relu", new int[] {1, 3, 5, 7}, 5, 1, 1, attrs(),
          new Epilogue(List.of(Epilogue.Op.binary(Epilogue.ADD, Epilogue.SCALAR, false, 3f),
              Epilogue.Op.unary(Epilogue.CLIP, 0f, 6f), Epilogue.Op.binary(Epilogue.MUL, Epilogue.HEAD, true, 0),
              Epilogue.Op.binary(Epilogue.DIV, Epilogue.SCALAR, false, 6f),
              Epilogue.Op.binary(Epilogue.ADD, Epilogue.EXTRA, true, 0), Epilogue.Op.unary(Epilogue.RELU, 0, 0))));
      convFused(rec, r, "conv depthwise + hardsigmoid, operands on the right", new int[] {1, 5, 11, 13}, 5, 3, 3,
          attrs("strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}, "group", 5),
          new Epilogue(List.of(Epilogue.Op.unary(Epilogue.HARDSIGMOID, 0.2f, 0.5f),
              Epilogue.Op.binary(Epilogue.DIV, Epilogue.SCALAR, true, 0.75f),
              Epilogue.Op.binary(Epilogue.MUL, Epilogue.EXTRA, false, 0),
              Epilogue.Op.binary(Epilogue.DIV, Epilogue.HEAD, false, 0),
              Epilogue.Op.binary(Epilogue.ADD, Epilogue.HEAD, false, 0),
              Epilogue.Op.binary(Epilogue.DIV, Epilogue.EXTRA, true, 0))));
      int[] s = {3, 7, 11};
      run(rec, r, "clip", "Clip", 9, attrs("min", -0.5f, "max", 1.25f), List.of(s), List.of(), true);
      run(rec, r, "hardsigmoid", "HardSigmoid", 13, attrs("alpha", 0.2f, "beta", 0.5f), List.of(s), List.of(), true);
      run(rec, r, "leakyrelu", "LeakyRelu", 13, attrs("alpha", 0.1f), List.of(s), List.of(), true);
      for (String op : List.of("Add", "Mul", "Div")) {
        run(rec, r, op + " broadcast middle", op, 13, attrs(), List.of(new int[] {2, 3, 5, 7}, new int[] {3, 1, 7}),
            List.of(), true);
        run(rec, r, op + " outer", op, 13, attrs(), List.of(new int[] {5, 1}, new int[] {1, 7}), List.of(), false);
        run(rec, r, op + " scalar", op, 13, attrs(), List.of(new int[] {2, 3, 5}, new int[] {1}), List.of(), false);
        run(rec, r, op + " channel", op, 13, attrs(), List.of(new int[] {1, 3, 1, 1}, new int[] {2, 3, 4, 5}),
            List.of(), false);
      }
      run(rec, r, "concat axis 1", "Concat", 13, attrs("axis", 1),
          List.of(new int[] {2, 3, 4}, new int[] {2, 1, 4}, new int[] {2, 5, 4}), List.of(), false);
      run(rec, r, "concat last axis", "Concat", 13, attrs("axis", -1), List.of(new int[] {3, 2}, new int[] {3, 3}),
          List.of(), false);
      int[] img = {2, 3, 7, 9};
      run(rec, r, "maxpool padded strided", "MaxPool", 12, attrs("kernel_shape", new int[] {3, 3},
          "strides", new int[] {2, 2}, "pads", new int[] {1, 1, 1, 1}), List.of(img), List.of(), true);
      run(rec, r, "maxpool ceil", "MaxPool", 12, attrs("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
          "ceil_mode", 1), List.of(img), List.of(), false);
      for (int include : new int[] {0, 1}) {
        run(rec, r, "averagepool count_include_pad=" + include, "AveragePool", 12, attrs("kernel_shape",
            new int[] {3, 2}, "strides", new int[] {2, 3}, "pads", new int[] {1, 0, 1, 1}, "count_include_pad", include),
            List.of(new int[] {1, 2, 6, 7}), List.of(), false);
      }
      run(rec, r, "globalaveragepool", "GlobalAveragePool", 13, attrs(), List.of(new int[] {2, 3, 5, 7}), List.of(),
          false);
      float[] var = {0.5f, 1.5f, 2.5f};
      run(rec, r, "batchnorm", "BatchNormalization", 15, attrs("epsilon", 1e-3f), List.of(new int[] {2, 3, 4, 5},
          new int[] {3}, new int[] {3}, new int[] {3}, new int[] {3}),
          Arrays.asList(null, random(r, 3), random(r, 3), random(r, 3), var), false);
      run(rec, r, "reshape", "Reshape", 13, attrs(), List.of(new int[] {2, 3, 5}, new int[] {3}),
          Arrays.asList(null, new float[] {0, -1, 5}), false);
      run(rec, r, "flatten", "Flatten", 13, attrs("axis", 2), List.of(new int[] {2, 3, 5}), List.of(), false);
      for (int[] perm : new int[][] {{0, 2, 3, 1}, {3, 1, 0, 2}}) {
        run(rec, r, "transpose " + Arrays.toString(perm), "Transpose", 13, attrs("perm", perm),
            List.of(new int[] {2, 3, 4, 5}), List.of(), false);
      }
      run(rec, r, "pad constant", "Pad", 2, attrs("pads", new int[] {0, 1, 2, 0, 0, 0, 1, 3}, "value", 1.5f),
          List.of(new int[] {1, 2, 3, 4}), List.of(), false);
      int m = 3, k = 5, n = 7;
      for (int ta = 0; ta < 2; ta++) {
        for (int tb = 0; tb < 2; tb++) {
          run(rec, r, "gemm transA=" + ta + " transB=" + tb, "Gemm", 13,
              attrs("transA", ta, "transB", tb, "alpha", 0.5f, "beta", 2f),
              List.of(ta == 1 ? new int[] {k, m} : new int[] {m, k}, tb == 1 ? new int[] {n, k} : new int[] {k, n},
                  new int[] {n}), List.of(), false);
        }
      }
      run(rec, r, "gemm full C", "Gemm", 13, attrs(), List.of(new int[] {m, k}, new int[] {k, n}, new int[] {m, n}),
          List.of(), false);
      run(rec, r, "gemm scalar C", "Gemm", 13, attrs("beta", 0.25f), List.of(new int[] {m, k}, new int[] {k, n},
          new int[] {1}), List.of(), false);
      run(rec, r, "matmul", "MatMul", 13, attrs(), List.of(new int[] {2, 3, 5}, new int[] {5, 7}), List.of(), false);
      run(rec, r, "softmax axis 1", "Softmax", 13, attrs("axis", 1), List.of(new int[] {2, 3, 5}), List.of(), false);
      run(rec, r, "softmax legacy", "Softmax", 11, attrs("axis", 1), List.of(new int[] {2, 3, 5}), List.of(), false);
      return List.copyOf(rec.launches());
    }
  }

  /** The names of the kernels that {@code launches} cover. */
  static Set<String> kernels(List<LaunchRecorder.Recorded> launches) {
    Set<String> names = new TreeSet<>();
    for (LaunchRecorder.Recorded l : launches) {
      names.add(l.kernel().name());
    }
    return names;
  }

  private static void conv(LaunchRecorder rec, Random r, String label, int[] x, int cout, int kh, int kw,
      Map<String, Object> a) {
    int group = a.containsKey("group") ? ((Long) a.get("group")).intValue() : 1;
    run(rec, r, label, "Conv", 13, a, List.of(x, new int[] {cout, x[1] / group, kh, kw}, new int[] {cout}), List.of(),
        false);
  }

  /**
   * A Conv with {@code e} fused into its launch, on random inputs and an EXTRA tensor holding the
   * values where Java's semantics are particular.
   */
  private static void convFused(LaunchRecorder rec, Random r, String label, int[] x, int cout, int kh, int kw,
      Map<String, Object> a, Epilogue e) {
    int group = a.containsKey("group") ? ((Long) a.get("group")).intValue() : 1;
    List<int[]> shapes = List.of(x, new int[] {cout, x[1] / group, kh, kw}, new int[] {cout});
    Layer layer = LayerKinds.of("Conv").create(node("Conv", 13, a, shapes, List.of()));
    List<float[]> inputs = new ArrayList<>();
    for (int[] s : shapes) {
      inputs.add(random(r, (int) Shapes.elements(s)));
    }
    float[] extra = random(r, (int) Shapes.elements(layer.outputShape()));
    float[] specials = {-0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f};
    System.arraycopy(specials, 0, extra, 0, specials.length);
    rec.label(label);
    KindHarness.runFused((Epilogue.Host) layer, inputs, e, extra, rec.device());
  }

  /** Builds the node's layer and runs it on random inputs (constants as given). */
  private static void run(LaunchRecorder rec, Random r, String label, String op, int opset, Map<String, Object> a,
      List<int[]> shapes, List<float[]> constants, boolean specials) {
    Layer layer = LayerKinds.of(op).create(node(op, opset, a, shapes, constants));
    List<float[]> inputs = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      float[] c = i < constants.size() ? constants.get(i) : null;
      float[] v = c != null ? c : random(r, (int) Shapes.elements(shapes.get(i)));
      if (specials && i == 0) {
        v[0] = -0f;
        v[1] = Float.NaN;
        v[2] = Float.POSITIVE_INFINITY;
        v[3] = Float.NEGATIVE_INFINITY;
        v[4] = 0f;
      }
      inputs.add(v);
    }
    rec.label(label);
    KindHarness.run(layer, inputs, rec.device());
  }

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() * 4 - 2;
    }
    return v;
  }
}
