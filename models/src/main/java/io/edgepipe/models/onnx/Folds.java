package io.edgepipe.models.onnx;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.models.kinds.reshape.ReshapeKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The shape operators of exported graphs, evaluated at import. They fold only when what they
 * read is known: Shape needs its input's shape, the others constant inputs.
 */
final class Folds {
  private Folds() {}

  /** Operators that exist only to be folded. */
  static final Set<String> OPS = Set.of("Shape", "Cast", "Slice", "Gather", "Unsqueeze", "Squeeze",
      "ConstantOfShape", "Identity");

  /** Operators of {@link #OPS} that may also run on a computed tensor as a copy with a new shape. */
  static final Set<String> RESHAPING = Set.of("Unsqueeze", "Squeeze", "Identity");

  /** Folds a node whose inputs are all constants (c.get(i) may be null only for Shape). */
  static Const fold(NodeView n, List<Const> c) {
    return switch (n.op()) {
      case "Shape" -> {
        int[] s = n.shape(0);
        double[] v = new double[s.length];
        for (int i = 0; i < s.length; i++) {
          v[i] = s[i];
        }
        yield new Const(new int[] {s.length}, v, true);
      }
      case "Cast" -> cast(c.get(0), (int) n.intAttr("to", 1));
      case "Identity" -> c.get(0);
      case "ConstantOfShape" -> {
        long[] dims = c.get(0).asLongs();
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
          shape[i] = Math.toIntExact(dims[i]);
        }
        Const value = (Const) n.attributes().get("value");
        double[] v = new double[Math.toIntExact(Shapes.elements(shape))];
        Arrays.fill(v, value == null ? 0 : value.values()[0]);
        yield new Const(shape, v, value != null && value.integer());
      }
      case "Unsqueeze", "Squeeze" -> new Const(squeezeShape(n, c), c.get(0).values(), c.get(0).integer());
      case "Reshape" -> new Const(ReshapeKind.resolve(c.get(0).shape(), c.get(1).asFloats(),
          n.intAttr("allowzero", 0) == 1, n.where()), c.get(0).values(), c.get(0).integer());
      case "Concat" -> concat(n, c);
      case "Slice" -> slice(n, c);
      case "Gather" -> gather(n, c);
      default -> throw new UnsupportedNodeException(n.where() + ": cannot fold");
    };
  }

  /** Output shape of Squeeze/Unsqueeze (axes from the attribute before opset 13, else input 1). */
  static int[] squeezeShape(NodeView n, List<Const> c) {
    int[] in = n.shape(0);
    long[] axes = n.hasInput(1) ? c.get(1).asLongs() : (long[]) n.attributes().get("axes");
    List<Integer> out = new ArrayList<>();
    if (n.op().equals("Unsqueeze")) {
      int rank = in.length + axes.length;
      boolean[] inserted = new boolean[rank];
      for (long a : axes) {
        inserted[Shapes.axis(a, rank, n.where())] = true;
      }
      int j = 0;
      for (int i = 0; i < rank; i++) {
        out.add(inserted[i] ? 1 : in[j++]);
      }
    } else {
      boolean[] drop = new boolean[in.length];
      if (axes == null) {
        for (int i = 0; i < in.length; i++) {
          drop[i] = in[i] == 1;
        }
      } else {
        for (long a : axes) {
          drop[Shapes.axis(a, in.length, n.where())] = true;
        }
      }
      for (int i = 0; i < in.length; i++) {
        if (!drop[i]) {
          out.add(in[i]);
        }
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static Const cast(Const in, int to) {
    double[] v = in.values().clone();
    boolean integer = switch (to) {
      case 1, 10, 11, 16 -> false;
      default -> true;
    };
    for (int i = 0; i < v.length; i++) {
      if (integer) {
        v[i] = (long) v[i]; // toward zero, as C casts
      } else if (to == 1) {
        v[i] = (float) v[i];
      }
      if (to == 9) {
        v[i] = v[i] != 0 ? 1 : 0;
      }
    }
    return new Const(in.shape(), v, integer);
  }

  private static Const concat(NodeView n, List<Const> c) {
    int[] first = c.get(0).shape();
    int axis = Shapes.axis(n.intAttr("axis", 0), first.length, n.where());
    int outer = Shapes.product(first, 0, axis);
    int[] shape = first.clone();
    shape[axis] = 0;
    for (Const k : c) {
      shape[axis] += k.shape()[axis];
    }
    double[] v = new double[Math.toIntExact(Shapes.elements(shape))];
    int outInner = Shapes.product(shape, axis, shape.length);
    int offset = 0;
    for (Const k : c) {
      int inner = Shapes.product(k.shape(), axis, k.shape().length);
      for (int r = 0; r < outer; r++) {
        System.arraycopy(k.values(), r * inner, v, r * outInner + offset, inner);
      }
      offset += inner;
    }
    return new Const(shape, v, c.get(0).integer());
  }

  private static Const slice(NodeView n, List<Const> c) {
    Const data = c.get(0);
    int[] in = data.shape();
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps = null;
    if (n.hasInput(1)) { // opset 10+
      starts = c.get(1).asLongs();
      ends = c.get(2).asLongs();
      axes = n.hasInput(3) ? c.get(3).asLongs() : null;
      steps = n.hasInput(4) ? c.get(4).asLongs() : null;
    } else {
      starts = (long[]) n.attributes().get("starts");
      ends = (long[]) n.attributes().get("ends");
      axes = (long[]) n.attributes().get("axes");
    }
    int r = in.length;
    long[] b = new long[r];
    long[] step = new long[r];
    int[] out = in.clone();
    Arrays.fill(step, 1);
    for (int i = 0; i < r; i++) {
      b[i] = 0;
    }
    for (int i = 0; i < starts.length; i++) {
      int ax = axes == null ? i : Shapes.axis(axes[i], r, n.where());
      long st = steps == null ? 1 : steps[i];
      if (st == 0) {
        throw new UnsupportedNodeException(n.where() + ": step 0");
      }
      long dim = in[ax];
      long s = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (st > 0) {
        s = Math.max(0, Math.min(dim, s));
        e = Math.max(0, Math.min(dim, e));
        out[ax] = (int) Math.max(0, (e - s + st - 1) / st);
      } else {
        s = Math.max(-1, Math.min(dim - 1, s));
        e = Math.max(-1, Math.min(dim - 1, e));
        out[ax] = (int) Math.max(0, (s - e + (-st) - 1) / (-st));
      }
      b[ax] = s;
      step[ax] = st;
    }
    double[] v = new double[Math.toIntExact(Shapes.elements(out))];
    int[] idx = new int[r];
    int[] stride = new int[r];
    int sdx = 1;
    for (int i = r - 1; i >= 0; i--) {
      stride[i] = sdx;
      sdx *= in[i];
    }
    for (int o = 0; o < v.length; o++) {
      int rem = o;
      long src = 0;
      for (int i = r - 1; i >= 0; i--) {
        idx[i] = rem % out[i];
        rem /= out[i];
        src += (b[i] + idx[i] * step[i]) * stride[i];
      }
      v[o] = data.values()[(int) src];
    }
    return new Const(out, v, data.integer());
  }

  private static Const gather(NodeView n, List<Const> c) {
    Const data = c.get(0);
    Const idx = c.get(1);
    int[] in = data.shape();
    int axis = Shapes.axis(n.intAttr("axis", 0), in.length, n.where());
    int[] shape = new int[in.length - 1 + idx.shape().length];
    int k = 0;
    for (int i = 0; i < axis; i++) {
      shape[k++] = in[i];
    }
    for (int d : idx.shape()) {
      shape[k++] = d;
    }
    for (int i = axis + 1; i < in.length; i++) {
      shape[k++] = in[i];
    }
    int outer = Shapes.product(in, 0, axis);
    int inner = Shapes.product(in, axis + 1, in.length);
    long[] ids = idx.asLongs();
    double[] v = new double[Math.toIntExact(Shapes.elements(shape))];
    int o = 0;
    for (int r = 0; r < outer; r++) {
      for (long id : ids) {
        long j = id < 0 ? id + in[axis] : id;
        if (j < 0 || j >= in[axis]) {
          throw new UnsupportedNodeException(n.where() + ": index " + id + " is outside " + in[axis]);
        }
        System.arraycopy(data.values(), (int) ((r * (long) in[axis] + j) * inner), v, o, inner);
        o += inner;
      }
    }
    return new Const(shape, v, data.integer());
  }
}
