package io.edgepipe.models.exec;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.kinds.Epilogue;
import io.edgepipe.models.kinds.Shapes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which steps of a partition run as one launch: a layer that can host an
 * {@link Epilogue} (a Conv) takes the element-wise steps right after it whose intermediate
 * tensors nothing else reads. A tensor that leaves the partition, or that another step reads, is
 * never fused away, so where a cut falls only decides which launches a partition makes, never a
 * value: the fused op computes what the op's own kernel computes.
 */
final class Fusion {
  private Fusion() {}

  /**
   * Steps [first, last] of the partition as one launch; {@code epilogue} is null for a single step,
   * {@code extra} the tensor the epilogue's EXTRA operand reads (or null).
   */
  record Launch(int first, int last, Epilogue epilogue, String extra) {
    boolean fused() {
      return epilogue != null;
    }
  }

  /**
   * @param steps     the partition's layers, in run order
   * @param outputs   the tensors the partition hands on
   * @param constants the model's constants (a one-element one becomes an op's scalar)
   * @param shapes    every tensor's shape
   */
  static List<Launch> plan(List<Step> steps, Collection<String> outputs, Map<String, Const> constants,
      Map<String, int[]> shapes) {
    Map<String, Integer> reads = new HashMap<>();
    for (Step s : steps) {
      for (String in : s.inputs()) {
        reads.merge(in, 1, Integer::sum);
      }
    }
    Set<String> out = new HashSet<>(outputs);
    List<Launch> launches = new ArrayList<>();
    for (int i = 0; i < steps.size(); ) {
      Launch l = longestChain(steps, i, out, reads, constants, shapes);
      launches.add(l);
      i = l.last() + 1;
    }
    return launches;
  }

  private static Launch longestChain(List<Step> steps, int i, Set<String> out, Map<String, Integer> reads,
      Map<String, Const> constants, Map<String, int[]> shapes) {
    Step host = steps.get(i);
    if (!(host.layer() instanceof Epilogue.Host)) {
      return new Launch(i, i, null, null);
    }
    String head = host.output();
    long size = Shapes.elements(host.outputShape());
    // the candidate chain: each next step reads the previous value and otherwise only a scalar,
    // the head or one earlier tensor laid out as the output
    List<Epilogue.Op> ops = new ArrayList<>();
    List<String> extras = new ArrayList<>(); // per op: the EXTRA tensor it reads, or null
    Set<String> chain = new HashSet<>(List.of(head));
    String value = head;
    for (int j = i + 1; j < steps.size(); j++) {
      Step t = steps.get(j);
      Epilogue.Kind k = t.layer().epilogueKind();
      if (k == null || Shapes.elements(t.outputShape()) != size) {
        break;
      }
      Epilogue.Op op;
      String extra = null;
      if (!k.binary()) {
        if (!t.inputs().get(0).equals(value)) {
          break;
        }
        op = Epilogue.Op.unary(k.code(), k.p1(), k.p2());
      } else {
        List<String> in = t.inputs();
        if (in.size() != 2 || in.get(0).equals(in.get(1)) || !in.contains(value)) {
          break;
        }
        boolean right = in.get(1).equals(value);
        String other = in.get(right ? 0 : 1);
        Const c = constants.get(other);
        if (c != null && c.values().length == 1) {
          op = Epilogue.Op.binary(k.code(), Epilogue.SCALAR, right, c.asFloats()[0]);
        } else if (other.equals(head)) {
          op = Epilogue.Op.binary(k.code(), Epilogue.HEAD, right, 0);
        } else if (!chain.contains(other) && Shapes.elements(shapes.get(other)) == size
            && extras.stream().allMatch(e -> e == null || e.equals(other))) {
          op = Epilogue.Op.binary(k.code(), Epilogue.EXTRA, right, 0);
          extra = other;
        } else {
          break;
        }
      }
      ops.add(op);
      extras.add(extra);
      value = t.output();
      chain.add(value);
    }
    // the longest prefix whose intermediate tensors are read only inside it and do not leave
    for (int n = ops.size(); n > 0; n--) {
      if (closed(steps, i, i + n, out, reads)) {
        String extra = extras.subList(0, n).stream().filter(e -> e != null).findFirst().orElse(null);
        return new Launch(i, i + n, new Epilogue(List.copyOf(ops.subList(0, n))), extra);
      }
    }
    return new Launch(i, i, null, null);
  }

  /** Whether the outputs of steps [first, last) are read only by steps (first, last] and none leaves. */
  private static boolean closed(List<Step> steps, int first, int last, Set<String> out, Map<String, Integer> reads) {
    for (int p = first; p < last; p++) {
      String t = steps.get(p).output();
      if (out.contains(t)) {
        return false;
      }
      int inside = 0;
      for (int q = first + 1; q <= last; q++) {
        for (String in : steps.get(q).inputs()) {
          if (in.equals(t)) {
            inside++;
          }
        }
      }
      if (inside != reads.getOrDefault(t, 0)) {
        return false;
      }
    }
    return true;
  }
}
