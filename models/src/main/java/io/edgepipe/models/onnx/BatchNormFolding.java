package io.edgepipe.models.onnx;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.kinds.batchnorm.BatchNormKind;
import io.edgepipe.models.kinds.conv.ConvKind;
import java.util.List;
import java.util.Map;

/**
 * Folds each BatchNormalization that directly follows a Conv (and is the only reader of its
 * output) into the Conv: {@code w' = w * s[o]}, {@code b' = (b - mean[o]) * s[o] + beta[o]} with
 * {@code s = gamma / sqrt(var + eps)}, computed in double and rounded once to float.
 */
final class BatchNormFolding {
  private BatchNormFolding() {}

  static void apply(List<Step> steps, Map<String, Const> constants, List<String> outputs) {
    for (int i = 0; i < steps.size(); i++) {
      Step bn = steps.get(i);
      if (!(bn.layer() instanceof BatchNormKind.BatchNorm norm)) {
        continue;
      }
      String x = bn.inputs().get(0);
      int convAt = producer(steps, x);
      if (convAt < 0 || !(steps.get(convAt).layer() instanceof ConvKind.Spec) || readers(steps, x) != 1
          || outputs.contains(x)) {
        continue;
      }
      Step conv = steps.get(convAt);
      Const w = constants.get(conv.inputs().get(1));
      Const b = constants.get(conv.inputs().get(2));
      double[] gamma = constants.get(bn.inputs().get(1)).values();
      double[] beta = constants.get(bn.inputs().get(2)).values();
      double[] mean = constants.get(bn.inputs().get(3)).values();
      double[] var = constants.get(bn.inputs().get(4)).values();
      int cout = w.shape()[0];
      int per = (int) (Shapes.elements(w.shape()) / cout);
      double[] w2 = new double[w.values().length];
      double[] b2 = new double[cout];
      for (int o = 0; o < cout; o++) {
        double s = gamma[o] / Math.sqrt(var[o] + (double) norm.eps());
        for (int j = 0; j < per; j++) {
          w2[o * per + j] = (float) (w.values()[o * per + j] * s);
        }
        b2[o] = (float) ((b.values()[o] - mean[o]) * s + beta[o]);
      }
      String wName = conv.node() + "/w_bn";
      String bName = conv.node() + "/b_bn";
      constants.put(wName, new Const(w.shape(), w2, false));
      constants.put(bName, new Const(b.shape(), b2, false));
      steps.set(convAt, new Step(conv.node(), conv.op(), conv.layer(), List.of(conv.inputs().get(0), wName, bName),
          bn.output()));
      steps.remove(i);
      i--;
    }
  }

  private static int producer(List<Step> steps, String tensor) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).output().equals(tensor)) {
        return i;
      }
    }
    return -1;
  }

  private static int readers(List<Step> steps, String tensor) {
    int n = 0;
    for (Step s : steps) {
      n += (int) s.inputs().stream().filter(tensor::equals).count();
    }
    return n;
  }
}
