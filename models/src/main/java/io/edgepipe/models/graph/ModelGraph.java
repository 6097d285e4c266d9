package io.edgepipe.models.graph;

import io.edgepipe.models.kinds.Shapes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An imported model after folding: its inputs, the layers that run (in an order where every
 * tensor is written before it is read), the constants they read, and the outputs.
 *
 * <p>Cut k (0 <= k <= layers) lies between layer k-1 and layer k: cut 0 is the model's input,
 * cut {@code steps.size()} its output. The tensors crossing cut k are those written before it (or
 * model inputs) that a later layer reads or that are model outputs; a partition between cuts a
 * and b runs layers [a, b) and takes the tensors crossing a to those crossing b.
 */
public record ModelGraph(
    String name,
    Map<String, int[]> inputs,
    List<String> outputs,
    Map<String, Const> constants,
    List<Step> steps,
    Map<String, int[]> shapes,
    List<Unsupported> unsupported,
    Map<String, Integer> folded) { // operators folded away at import, by op (BatchNormalization: into Conv)

  /** A node that cannot run, and why. */
  public record Unsupported(String node, String op, String reason) {
    public String line() {
      return "unsupported operator " + op + " at node '" + node + "': " + reason;
    }
  }

  public int cuts() {
    return steps.size() + 1;
  }

  /** Tensors crossing cut k, in a stable order (model inputs first, then by the layer that writes them). */
  public List<String> crossing(int k) {
    if (k < 0 || k > steps.size()) {
      throw new IllegalArgumentException("cut " + k + " is outside 0.." + steps.size());
    }
    Set<String> needed = new HashSet<>(outputs);
    for (int i = k; i < steps.size(); i++) {
      needed.addAll(steps.get(i).inputs());
    }
    Set<String> result = new LinkedHashSet<>();
    for (String in : inputs.keySet()) {
      if (needed.contains(in)) {
        result.add(in);
      }
    }
    for (int i = 0; i < k; i++) {
      String out = steps.get(i).output();
      if (needed.contains(out)) {
        result.add(out);
      }
    }
    return new ArrayList<>(result);
  }

  /** Bytes (f32) crossing cut k. */
  public long crossingBytes(int k) {
    long bytes = 0;
    for (String t : crossing(k)) {
      bytes += Shapes.elements(shapes.get(t)) * 4;
    }
    return bytes;
  }

  /** Parameters (constant elements) the layers read. */
  public long parameters() {
    Set<String> used = new HashSet<>();
    for (Step s : steps) {
      for (String in : s.inputs()) {
        if (constants.containsKey(in)) {
          used.add(in);
        }
      }
    }
    long n = 0;
    for (String c : used) {
      n += constants.get(c).values().length;
    }
    return n;
  }

  /** Layer count per ONNX operator, in first-seen order. */
  public Map<String, Integer> operatorCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Step s : steps) {
      counts.merge(s.op(), 1, Integer::sum);
    }
    return counts;
  }
}
