package io.edgepipe.models.inspect;

import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.kinds.Shapes;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code pipeline model inspect} prints: inputs and outputs, operators, parameters, every
 * layer with its output tensor (shape and bytes), every cut point with the tensors and bytes that
 * cross it, and the nodes that cannot run.
 */
public final class ModelInspection {
  private ModelInspection() {}

  public static String render(ModelGraph g) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("model %s: %d layers, %d cut points, %,d parameters (%s)%n", g.name(), g.steps().size(),
        g.cuts(), g.parameters(), bytes(g.parameters() * 4)));
    g.inputs().forEach((name, shape) -> s.append(String.format("input   %s %s %s%n", name, Shapes.format(shape),
        bytes(Shapes.elements(shape) * 4))));
    for (String out : g.outputs()) {
      int[] shape = g.shapes().get(out);
      s.append(String.format("output  %s %s %s%n", out, shape == null ? "?" : Shapes.format(shape),
          shape == null ? "?" : bytes(Shapes.elements(shape) * 4)));
    }
    s.append("operators (layers): ").append(counts(g.operatorCounts())).append('\n');
    s.append("folded at import:   ").append(g.folded().isEmpty() ? "none" : counts(g.folded())).append('\n');
    if (g.unsupported().isEmpty()) {
      s.append("unsupported nodes:  none\n");
    } else {
      s.append("unsupported nodes:  ").append(g.unsupported().size()).append(" (the model cannot run)\n");
      for (ModelGraph.Unsupported u : g.unsupported()) {
        s.append("  UNSUPPORTED ").append(u.line()).append('\n');
      }
    }
    s.append(String.format("%nlayers%n%4s  %-18s %-44s %-18s %10s %14s%n", "#", "op", "node", "output", "bytes", "ops"));
    for (int i = 0; i < g.steps().size(); i++) {
      Step st = g.steps().get(i);
      s.append(String.format("%4d  %-18s %-44s %-18s %10s %,14d%n", i, st.op(), shorten(st.node(), 44),
          Shapes.format(st.outputShape()), bytes(Shapes.elements(st.outputShape()) * 4), st.layer().operations()));
    }
    s.append(String.format("%ncut points (cut k: between layer k-1 and layer k)%n%4s  %12s  %s%n", "cut", "bytes", "tensors"));
    for (int k = 0; k < g.cuts(); k++) {
      List<String> t = g.crossing(k);
      s.append(String.format("%4d  %12s  %d: %s%n", k, bytes(g.crossingBytes(k)), t.size(),
          t.stream().map(n -> shorten(n, 40) + Shapes.format(g.shapes().get(n))).collect(Collectors.joining(", "))));
    }
    return s.toString();
  }

  private static String counts(Map<String, Integer> m) {
    return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  static String bytes(long b) {
    if (b < 10_000) {
      return b + " B";
    }
    if (b < 10_000_000) {
      return String.format("%.1f KB", b / 1000.0);
    }
    return String.format("%.1f MB", b / 1e6);
  }

  /** Long exporter names keep their tail, which is the part that tells layers apart. */
  static String shorten(String name, int max) {
    return name.length() <= max ? name : "…" + name.substring(name.length() - max + 1);
  }
}
