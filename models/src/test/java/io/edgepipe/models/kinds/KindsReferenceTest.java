package io.edgepipe.models.kinds;

import static io.edgepipe.models.kinds.KindHarness.assertExact;
import static io.edgepipe.models.kinds.KindHarness.assertNear;
import static io.edgepipe.models.kinds.KindHarness.attrs;
import static io.edgepipe.models.kinds.KindHarness.node;
import static io.edgepipe.models.kinds.KindHarness.random;
import static io.edgepipe.models.kinds.KindHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every layer kind against a naive reference written here from the ONNX operator definition, on
 * odd shapes (sizes that are not powers of two, asymmetric pads, broadcasting, groups).
 */
class KindsReferenceTest {

  private static Layer create(String op, int opset, Map<String, Object> a, List<int[]> shapes, List<float[]> consts) {
    return LayerKinds.of(op).create(node(op, opset, a, shapes, consts));
  }

  // ---- Conv ----

  private static float[] naiveConv(float[] x, float[] w, float[] b, int n, int cin, int h, int wd, int cout, int kh,
      int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int group) {
    int oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
    int ow = (wd + pl + pr - dw * (kw - 1) - 1) / sw + 1;
    int cpg = cin / group;
    int opg = cout / group;
    float[] out = new float[n * cout * oh * ow];
    for (int b0 = 0; b0 < n; b0++) {
      for (int o = 0; o < cout; o++) {
        for (int y = 0; y < oh; y++) {
          for (int xo = 0; xo < ow; xo++) {
            double acc = b[o];
            for (int c = 0; c < cpg; c++) {
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int iy = y * sh - pt + ky * dh;
                  int ix = xo * sw - pl + kx * dw;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                    int ci = (o / opg) * cpg + c;
                    acc += (double) w[((o * cpg + c) * kh + ky) * kw + kx] * x[((b0 * cin + ci) * h + iy) * wd + ix];
                  }
                }
              }
            }
            out[((b0 * cout + o) * oh + y) * ow + xo] = (float) acc;
          }
        }
      }
    }
    return out;
  }

  private static void conv(int n, int cin, int h, int w, int cout, int kh, int kw, int[] strides, int[] pads, int[] dil,
      int group) {
    float[] x = random(n * cin * h * w);
    float[] wt = random(cout * (cin / group) * kh * kw);
    float[] b = random(cout);
    Layer l = create("Conv", 13, attrs("strides", strides, "pads", pads, "dilations", dil, "group", group),
        List.of(new int[] {n, cin, h, w}, new int[] {cout, cin / group, kh, kw}, new int[] {cout}), List.of());
    float[] ref = naiveConv(x, wt, b, n, cin, h, w, cout, kh, kw, strides[0], strides[1], pads[0], pads[1], pads[2],
        pads[3], dil[0], dil[1], group);
    assertNear(ref, run(l, List.of(x, wt, b)), "conv " + cin + "x" + h + "x" + w + " k" + kh + "x" + kw + " g" + group);
  }

  @Test
  void convGroupedStridedDilatedAsymmetric() {
    conv(2, 6, 7, 9, 4, 3, 2, new int[] {2, 1}, new int[] {1, 0, 2, 1}, new int[] {1, 2}, 2);
  }

  @Test
  void convDepthwise() {
    conv(1, 5, 11, 13, 5, 3, 3, new int[] {2, 2}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 5);
  }

  @Test
  void convPointwiseAndFiveByFive() {
    conv(1, 3, 5, 7, 5, 1, 1, new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1);
    conv(1, 3, 17, 15, 4, 5, 5, new int[] {2, 2}, new int[] {1, 1, 2, 2}, new int[] {1, 1}, 1);
  }

  // The CPU twin cuts the output into pixel blocks (up to 512, so these images span several, the
  // last one partial and rows split between blocks) and, where there are few blocks, slices of the
  // output channels; each case below goes down one of those paths with the thread pool in use.

  @Test
  void convSeveralPixelBlocksWithRowsSplitBetweenThem() {
    conv(1, 5, 37, 41, 7, 3, 3, new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1);
    conv(1, 9, 29, 31, 13, 1, 1, new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1);
  }

  @Test
  void convSmallImageManyOutputChannelsIsSlicedByChannel() {
    conv(1, 19, 5, 7, 45, 1, 1, new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1);
    conv(1, 6, 6, 5, 33, 3, 3, new int[] {1, 1}, new int[] {1, 0, 0, 1}, new int[] {1, 1}, 1);
  }

  @Test
  void convDepthwiseFiveByFiveStridedDilatedOddChannelsTwoImages() {
    conv(2, 7, 23, 19, 7, 5, 5, new int[] {2, 2}, new int[] {2, 1, 0, 3}, new int[] {2, 2}, 7);
    conv(1, 11, 40, 36, 11, 3, 3, new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 11);
  }

  @Test
  void convGroupsOfThreeInputsStridedDilatedAcrossBlocks() {
    conv(1, 9, 26, 33, 6, 3, 2, new int[] {1, 2}, new int[] {0, 2, 1, 0}, new int[] {2, 1}, 3);
  }

  @Test
  void convSamePaddingFromAutoPad() {
    float[] x = random(2 * 9 * 10);
    float[] wt = random(3 * 2 * 3 * 3);
    float[] b = random(3);
    Layer l = create("Conv", 13, attrs("strides", new int[] {2, 2}, "auto_pad", "SAME_UPPER"),
        List.of(new int[] {1, 2, 9, 10}, new int[] {3, 2, 3, 3}, new int[] {3}), List.of());
    assertArrayEquals(new int[] {1, 3, 5, 5}, l.outputShape());
    // SAME_UPPER: total pad 2 (rows) and 1 (cols); the extra goes at the end
    assertNear(naiveConv(x, wt, b, 1, 2, 9, 10, 3, 3, 3, 2, 2, 1, 0, 1, 1, 1, 1, 1), run(l, List.of(x, wt, b)), "same");
  }

  // ---- element-wise ----

  @Test
  void activations() {
    int[] s = {2, 3, 5};
    float[] x = random(30);
    x[0] = -0f;
    x[1] = 6.5f;
    float[] relu = new float[30], clip = new float[30], hs = new float[30], leaky = new float[30];
    for (int i = 0; i < 30; i++) {
      relu[i] = x[i] > 0 ? x[i] : 0f;
      clip[i] = x[i] < -0.5f ? -0.5f : x[i] > 1.25f ? 1.25f : x[i];
      float t = 0.2f * x[i] + 0.5f;
      hs[i] = t < 0 ? 0 : t > 1 ? 1 : t;
      leaky[i] = x[i] >= 0 ? x[i] : 0.1f * x[i];
    }
    relu[0] = 0f;
    assertExact(relu, run(create("Relu", 13, attrs(), List.of(s), List.of()), List.of(x)), "relu");
    assertExact(clip, run(create("Clip", 9, attrs("min", -0.5f, "max", 1.25f), List.of(s), List.of()), List.of(x)), "clip 9");
    float[] lo = {-0.5f};
    float[] hi = {1.25f};
    assertExact(clip, run(create("Clip", 13, attrs(), List.of(s, new int[0], new int[0]), Arrays.asList(null, lo, hi)),
        Arrays.asList(x, lo, hi)), "clip 13 (bounds as inputs)");
    assertExact(hs, run(create("HardSigmoid", 13, attrs("alpha", 0.2f, "beta", 0.5f), List.of(s), List.of()), List.of(x)), "hardsigmoid");
    assertExact(leaky, run(create("LeakyRelu", 13, attrs("alpha", 0.1f), List.of(s), List.of()), List.of(x)), "leakyrelu");
  }

  private static void binary(String op, int[] a, int[] b, int[] out) {
    float[] x = random((int) Shapes.elements(a));
    float[] y = random((int) Shapes.elements(b));
    Layer l = create(op, 13, attrs(), List.of(a, b), List.of());
    assertArrayEquals(out, l.outputShape(), op + " shape");
    int[] pa = Shapes.padLeft(a, out.length);
    int[] pb = Shapes.padLeft(b, out.length);
    float[] ref = new float[(int) Shapes.elements(out)];
    int[] idx = new int[out.length];
    for (int i = 0; i < ref.length; i++) {
      int rem = i;
      for (int d = out.length - 1; d >= 0; d--) {
        idx[d] = rem % out[d];
        rem /= out[d];
      }
      float xv = x[flat(idx, pa)];
      float yv = y[flat(idx, pb)];
      ref[i] = switch (op) {
        case "Add" -> xv + yv;
        case "Mul" -> xv * yv;
        default -> xv / yv;
      };
    }
    assertExact(ref, run(l, List.of(x, y)), op + " " + Arrays.toString(a) + " " + Arrays.toString(b));
  }

  /** Row-major index into a (broadcast) tensor of dims {@code dims} at output index {@code idx}. */
  private static int flat(int[] idx, int[] dims) {
    int f = 0;
    for (int d = 0; d < dims.length; d++) {
      f = f * dims[d] + (dims[d] == 1 ? 0 : idx[d]);
    }
    return f;
  }

  @Test
  void broadcastingBinaryOperators() {
    for (String op : List.of("Add", "Mul", "Div")) {
      binary(op, new int[] {2, 3, 5, 7}, new int[] {3, 1, 7}, new int[] {2, 3, 5, 7});
      binary(op, new int[] {2, 3, 5}, new int[] {1}, new int[] {2, 3, 5});
      binary(op, new int[] {5, 1}, new int[] {1, 7}, new int[] {5, 7});
      binary(op, new int[] {1, 3, 1, 1}, new int[] {2, 3, 4, 5}, new int[] {2, 3, 4, 5});
      // above the size the twin cuts into bands: same layout, per-channel and scalar operands
      binary(op, new int[] {1, 7, 97, 101}, new int[] {1, 7, 97, 101}, new int[] {1, 7, 97, 101});
      binary(op, new int[] {1, 7, 97, 101}, new int[] {1, 7, 1, 1}, new int[] {1, 7, 97, 101});
      binary(op, new int[] {1}, new int[] {2, 5, 83, 89}, new int[] {2, 5, 83, 89});
      binary(op, new int[] {3, 1, 171}, new int[] {3, 151, 171}, new int[] {3, 151, 171});
    }
    assertThrows(UnsupportedNodeException.class, () -> create("Add", 13, attrs(),
        List.of(new int[] {2, 3}, new int[] {4}), List.of()));
  }

  // ---- shape-moving kinds ----

  @Test
  void concatAlongAnyAxis() {
    int[][] shapes = {{2, 3, 4}, {2, 1, 4}, {2, 5, 4}};
    float[][] v = {random(24), random(8), random(40)};
    Layer l = create("Concat", 13, attrs("axis", 1), List.of(shapes), List.of());
    float[] ref = new float[2 * 9 * 4];
    int o = 0;
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 3; i++) {
        int rows = shapes[i][1] * 4;
        System.arraycopy(v[i], b * rows, ref, o, rows);
        o += rows;
      }
    }
    assertExact(ref, run(l, List.of(v)), "concat axis 1");
    Layer last = create("Concat", 13, attrs("axis", -1), List.of(new int[] {3, 2}, new int[] {3, 3}), List.of());
    float[] a = random(6);
    float[] b = random(9);
    float[] ref2 = new float[15];
    for (int r = 0; r < 3; r++) {
      System.arraycopy(a, r * 2, ref2, r * 5, 2);
      System.arraycopy(b, r * 3, ref2, r * 5 + 2, 3);
    }
    assertExact(ref2, run(last, List.of(a, b)), "concat axis -1");
  }

  @Test
  void transposeAnyPermutation() {
    int[] s = {2, 3, 4, 5};
    float[] x = random(120);
    for (int[] perm : new int[][] {{0, 2, 3, 1}, {3, 1, 0, 2}, {0, 3, 1, 2}}) {
      Layer l = create("Transpose", 13, attrs("perm", perm), List.of(s), List.of());
      int[] os = new int[4];
      for (int k = 0; k < 4; k++) {
        os[k] = s[perm[k]];
      }
      float[] ref = new float[120];
      int[] idx = new int[4];
      int[] src = new int[4];
      for (int i = 0; i < 120; i++) {
        int rem = i;
        for (int d = 3; d >= 0; d--) {
          idx[d] = rem % os[d];
          rem /= os[d];
        }
        for (int k = 0; k < 4; k++) {
          src[perm[k]] = idx[k];
        }
        ref[i] = x[((src[0] * 3 + src[1]) * 4 + src[2]) * 5 + src[3]];
      }
      assertArrayEquals(os, l.outputShape());
      assertExact(ref, run(l, List.of(x)), "transpose " + Arrays.toString(perm));
    }
  }

  @Test
  void reshapeAndFlattenKeepTheData() {
    float[] x = random(30);
    float[] target = {0, -1, 5};
    Layer r = create("Reshape", 13, attrs(), List.of(new int[] {2, 3, 5}, new int[] {3}), Arrays.asList(null, target));
    assertArrayEquals(new int[] {2, 3, 5}, r.outputShape());
    assertExact(x, run(r, Arrays.asList(x, target)), "reshape");
    Layer f = create("Flatten", 13, attrs("axis", 2), List.of(new int[] {2, 3, 5}), List.of());
    assertArrayEquals(new int[] {6, 5}, f.outputShape());
    assertExact(x, run(f, List.of(x)), "flatten");
  }

  @Test
  void padConstant() {
    int[] s = {1, 2, 3, 4};
    float[] x = random(24);
    int[] pads = {0, 1, 2, 0, 0, 0, 1, 3};
    Layer l = create("Pad", 2, attrs("pads", pads, "value", 1.5f), List.of(s), List.of());
    int[] o = {1, 3, 6, 7};
    assertArrayEquals(o, l.outputShape());
    float[] ref = new float[126];
    Arrays.fill(ref, 1.5f);
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 3; y++) {
        for (int w = 0; w < 4; w++) {
          ref[((c + 1) * 6 + y + 2) * 7 + w] = x[(c * 3 + y) * 4 + w];
        }
      }
    }
    assertExact(ref, run(l, List.of(x)), "pad");
    float[] padsIn = {0, 1, 2, 0, 0, 0, 1, 3};
    Layer l11 = create("Pad", 11, attrs(), List.of(s, new int[] {8}), Arrays.asList(null, padsIn));
    float[] ref0 = new float[126];
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 3; y++) {
        System.arraycopy(x, (c * 3 + y) * 4, ref0, ((c + 1) * 6 + y + 2) * 7, 4);
      }
    }
    assertExact(ref0, run(l11, Arrays.asList(x, padsIn)), "pad 11 (pads as an input, value 0)");
  }

  // ---- pooling and normalisation ----

  private static float[] naivePool(float[] x, int nc, int h, int w, int kh, int kw, int sh, int sw, int pt, int pl,
      int oh, int ow, boolean max, boolean includePad, int pb, int pr) {
    float[] out = new float[nc * oh * ow];
    for (int c = 0; c < nc; c++) {
      for (int y = 0; y < oh; y++) {
        for (int xo = 0; xo < ow; xo++) {
          float m = Float.NEGATIVE_INFINITY;
          double sum = 0;
          int count = 0;
          int padded = 0;
          for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
              int iy = y * sh - pt + ky;
              int ix = xo * sw - pl + kx;
              if (iy >= -pt && iy < h + pb && ix >= -pl && ix < w + pr) {
                padded++;
              }
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                float v = x[(c * h + iy) * w + ix];
                m = Math.max(m, v);
                sum += v;
                count++;
              }
            }
          }
          out[(c * oh + y) * ow + xo] = max ? m : (float) (sum / (includePad ? kh * kw : count));
        }
      }
    }
    return out;
  }

  @Test
  void maxPoolPaddedStridedAndCeil() {
    float[] x = random(2 * 3 * 7 * 9);
    Layer l = create("MaxPool", 12, attrs("kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
        "pads", new int[] {1, 1, 1, 1}), List.of(new int[] {2, 3, 7, 9}), List.of());
    assertArrayEquals(new int[] {2, 3, 4, 5}, l.outputShape());
    assertExact(naivePool(x, 6, 7, 9, 3, 3, 2, 2, 1, 1, 4, 5, true, false, 1, 1), run(l, List.of(x)), "maxpool");
    Layer ceil = create("MaxPool", 12, attrs("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2},
        "ceil_mode", 1), List.of(new int[] {2, 3, 7, 9}), List.of());
    assertArrayEquals(new int[] {2, 3, 4, 5}, ceil.outputShape());
    assertExact(naivePool(x, 6, 7, 9, 2, 2, 2, 2, 0, 0, 4, 5, true, false, 0, 0), run(ceil, List.of(x)), "maxpool ceil");
    // unpadded windows all inside the input take the twin's row walk; big enough to run in bands
    float[] big = random(18 * 61 * 67);
    Layer overlapping = create("MaxPool", 12, attrs("kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 3}),
        List.of(new int[] {2, 9, 61, 67}), List.of());
    assertArrayEquals(new int[] {2, 9, 30, 22}, overlapping.outputShape());
    assertExact(naivePool(big, 18, 61, 67, 3, 2, 2, 3, 0, 0, 30, 22, true, false, 0, 0), run(overlapping, List.of(big)),
        "maxpool 3x2 stride 2x3");
    Layer twoByTwo = create("MaxPool", 12, attrs("kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}),
        List.of(new int[] {2, 9, 61, 67}), List.of());
    assertExact(naivePool(big, 18, 61, 67, 2, 2, 2, 2, 0, 0, 30, 33, true, false, 0, 0), run(twoByTwo, List.of(big)),
        "maxpool 2x2 stride 2, odd input");
  }

  @Test
  void averagePoolWithAndWithoutPadCount() {
    float[] x = random(1 * 2 * 6 * 7);
    for (int include : new int[] {0, 1}) {
      Layer l = create("AveragePool", 12, attrs("kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 3},
          "pads", new int[] {1, 0, 1, 1}, "count_include_pad", include), List.of(new int[] {1, 2, 6, 7}), List.of());
      assertArrayEquals(new int[] {1, 2, 3, 3}, l.outputShape());
      assertNear(naivePool(x, 2, 6, 7, 3, 2, 2, 3, 1, 0, 3, 3, false, include == 1, 1, 1), run(l, List.of(x)),
          "averagepool count_include_pad=" + include);
    }
  }

  @Test
  void globalAveragePool() {
    float[] x = random(2 * 3 * 5 * 7);
    Layer l = create("GlobalAveragePool", 13, attrs(), List.of(new int[] {2, 3, 5, 7}), List.of());
    float[] ref = new float[6];
    for (int c = 0; c < 6; c++) {
      double s = 0;
      for (int i = 0; i < 35; i++) {
        s += x[c * 35 + i];
      }
      ref[c] = (float) (s / 35);
    }
    assertArrayEquals(new int[] {2, 3, 1, 1}, l.outputShape());
    assertNear(ref, run(l, List.of(x)), "global average pool");
  }

  @Test
  void batchNormalizationStandalone() {
    float[] x = random(2 * 3 * 4 * 5);
    float[] g = random(3), b = random(3), m = random(3), v = {0.5f, 1.5f, 2.5f};
    Layer l = create("BatchNormalization", 15, attrs("epsilon", 1e-3f), List.of(new int[] {2, 3, 4, 5},
        new int[] {3}, new int[] {3}, new int[] {3}, new int[] {3}), Arrays.asList(null, g, b, m, v));
    float[] ref = new float[120];
    for (int i = 0; i < 120; i++) {
      int c = (i / 20) % 3;
      ref[i] = (float) ((x[i] - m[c]) / Math.sqrt(v[c] + 1e-3) * g[c] + b[c]);
    }
    assertNear(ref, run(l, List.of(x, g, b, m, v)), "batchnorm");
  }

  // ---- matrix products and softmax ----

  @Test
  void gemmWithTransposesAndBias() {
    int m = 3, k = 5, n = 7;
    for (int ta = 0; ta < 2; ta++) {
      for (int tb = 0; tb < 2; tb++) {
        float[] a = random(m * k), b = random(k * n), c = random(n);
        Layer l = create("Gemm", 13, attrs("transA", ta, "transB", tb, "alpha", 0.5f, "beta", 2f),
            List.of(ta == 1 ? new int[] {k, m} : new int[] {m, k}, tb == 1 ? new int[] {n, k} : new int[] {k, n},
                new int[] {n}), List.of());
        float[] ref = new float[m * n];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) {
              s += (double) (ta == 1 ? a[p * m + i] : a[i * k + p]) * (tb == 1 ? b[j * k + p] : b[p * n + j]);
            }
            ref[i * n + j] = (float) (0.5 * s + 2.0 * c[j]);
          }
        }
        assertNear(ref, run(l, List.of(a, b, c)), "gemm transA=" + ta + " transB=" + tb);
      }
    }
  }

  @Test
  void matMulOverLeadingDimensions() {
    float[] a = random(2 * 3 * 5), b = random(5 * 7);
    Layer l = create("MatMul", 13, attrs(), List.of(new int[] {2, 3, 5}, new int[] {5, 7}), List.of());
    assertArrayEquals(new int[] {2, 3, 7}, l.outputShape());
    float[] ref = new float[42];
    for (int r = 0; r < 6; r++) {
      for (int j = 0; j < 7; j++) {
        double s = 0;
        for (int p = 0; p < 5; p++) {
          s += (double) a[r * 5 + p] * b[p * 7 + j];
        }
        ref[r * 7 + j] = (float) s;
      }
    }
    assertNear(ref, run(l, List.of(a, b)), "matmul");
  }

  @Test
  void softmaxPerAxisAndLegacyFlattened() {
    float[] x = random(2 * 3 * 5);
    Layer l13 = create("Softmax", 13, attrs("axis", 1), List.of(new int[] {2, 3, 5}), List.of());
    float[] ref = new float[30];
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 5; i++) {
        double sum = 0;
        for (int c = 0; c < 3; c++) {
          sum += Math.exp(x[(b * 3 + c) * 5 + i]);
        }
        for (int c = 0; c < 3; c++) {
          ref[(b * 3 + c) * 5 + i] = (float) (Math.exp(x[(b * 3 + c) * 5 + i]) / sum);
        }
      }
    }
    assertNear(ref, run(l13, List.of(x)), "softmax 13 axis 1");
    Layer l11 = create("Softmax", 11, attrs("axis", 1), List.of(new int[] {2, 3, 5}), List.of());
    float[] ref11 = new float[30];
    for (int b = 0; b < 2; b++) {
      double sum = 0;
      for (int i = 0; i < 15; i++) {
        sum += Math.exp(x[b * 15 + i]);
      }
      for (int i = 0; i < 15; i++) {
        ref11[b * 15 + i] = (float) (Math.exp(x[b * 15 + i]) / sum);
      }
    }
    assertNear(ref11, run(l11, List.of(x)), "softmax 11 (flattened from axis 1)");
  }
}
