package io.edgepipe.models.onnx;

import io.edgepipe.models.graph.Const;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.graph.Step;
import io.edgepipe.models.kinds.Layer;
import io.edgepipe.models.kinds.LayerKind;
import io.edgepipe.models.kinds.LayerKinds;
import io.edgepipe.models.kinds.NodeView;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.kinds.UnsupportedNodeException;
import io.edgepipe.models.kinds.reshape.ReshapeKind;
import io.edgepipe.models.onnx.proto.AttributeProto;
import io.edgepipe.models.onnx.proto.ModelProto;
import io.edgepipe.models.onnx.proto.NodeProto;
import io.edgepipe.models.onnx.proto.OperatorSetIdProto;
import io.edgepipe.models.onnx.proto.TensorProto;
import io.edgepipe.models.onnx.proto.TensorShapeProto;
import io.edgepipe.models.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX model (the published onnx.proto, compiled at build time) into a {@link ModelGraph}:
 * weights from initializers and Constant nodes, the shape operators folded to constants, every
 * shape inferred for the given input shapes, and each BatchNormalization that follows a Conv
 * folded into the Conv's weights. Nodes that cannot run are collected, not thrown: {@code inspect}
 * lists them, {@code import} refuses the model.
 */
public final class OnnxImporter {
  private OnnxImporter() {}

  /** Thrown for a file that is not an ONNX model or whose inputs have no size. */
  public static final class ModelException extends IllegalArgumentException implements io.edgepipe.api.UserError {
    public ModelException(String message) {
      super(message);
    }
  }

  /**
   * @param inputShapes shapes for inputs whose dimensions are symbolic in the file (may be empty;
   *                    a symbolic leading batch dimension defaults to 1)
   */
  public static ModelGraph load(Path file, Map<String, int[]> inputShapes) {
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      model = ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new ModelException("cannot read ONNX model " + file + ": " + e.getMessage());
    }
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new ModelException(file + " is not an ONNX model (no graph)");
    }
    String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
    return read(model, name, inputShapes);
  }

  public static ModelGraph read(ModelProto model, String name, Map<String, int[]> inputShapes) {
    return new Builder(model, name, inputShapes).build();
  }

  private static final class Builder {
    final ModelProto model;
    final String name;
    final Map<String, int[]> overrides;
    final int opset;
    final Map<String, Const> constants = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new HashMap<>();
    final Map<String, int[]> inputs = new LinkedHashMap<>();
    final List<Step> steps = new ArrayList<>();
    final List<ModelGraph.Unsupported> unsupported = new ArrayList<>();
    final Map<String, Integer> folded = new LinkedHashMap<>();

    Builder(ModelProto model, String name, Map<String, int[]> overrides) {
      this.model = model;
      this.name = name;
      this.overrides = overrides;
      int v = 1;
      for (OperatorSetIdProto o : model.getOpsetImportList()) {
        if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
          v = (int) o.getVersion();
        }
      }
      this.opset = v;
    }

    ModelGraph build() {
      for (TensorProto t : model.getGraph().getInitializerList()) {
        putConstant(t.getName(), Tensors.read(t, "initializer '" + t.getName() + "'"));
      }
      for (ValueInfoProto vi : model.getGraph().getInputList()) {
        if (!constants.containsKey(vi.getName())) {
          int[] shape = inputShape(vi);
          inputs.put(vi.getName(), shape);
          shapes.put(vi.getName(), shape);
        }
      }
      for (NodeProto node : model.getGraph().getNodeList()) {
        try {
          visit(node);
        } catch (UnsupportedNodeException e) {
          unsupported.add(new ModelGraph.Unsupported(nodeName(node), node.getOpType(), e.getMessage()));
        }
      }
      List<String> outputs = new ArrayList<>();
      for (ValueInfoProto vi : model.getGraph().getOutputList()) {
        outputs.add(vi.getName());
      }
      int before = steps.size();
      BatchNormFolding.apply(steps, constants, outputs);
      if (steps.size() < before) {
        folded.merge("BatchNormalization", before - steps.size(), Integer::sum);
      }
      Map<String, int[]> stepShapes = new HashMap<>(inputs);
      for (Step s : steps) {
        stepShapes.put(s.output(), s.outputShape());
      }
      return new ModelGraph(name, inputs, outputs, constants, List.copyOf(steps), stepShapes, List.copyOf(unsupported),
          folded);
    }

    private int[] inputShape(ValueInfoProto vi) {
      int[] given = overrides.get(vi.getName());
      TensorShapeProto s = vi.getType().getTensorType().getShape();
      if (given != null) {
        if (given.length != s.getDimCount()) {
          throw new ModelException("input " + vi.getName() + " has rank " + s.getDimCount() + ", the given shape "
              + Shapes.format(given) + " has rank " + given.length);
        }
        return given.clone();
      }
      int[] shape = new int[s.getDimCount()];
      for (int i = 0; i < shape.length; i++) {
        TensorShapeProto.Dimension d = s.getDim(i);
        if (d.hasDimValue() && d.getDimValue() > 0) {
          shape[i] = (int) d.getDimValue();
        } else if (i == 0) {
          shape[i] = 1; // symbolic batch: one frame
        } else {
          throw new ModelException("input " + vi.getName() + " has a symbolic dimension " + i + " ('"
              + d.getDimParam() + "'): give its shape (--input-shape, or input.shape in the spec)");
        }
      }
      return shape;
    }

    private void putConstant(String tensor, Const c) {
      constants.put(tensor, c);
      shapes.put(tensor, c.shape());
    }

    private static String nodeName(NodeProto node) {
      return node.getName().isEmpty() ? node.getOutput(0) : node.getName();
    }

    private void visit(NodeProto node) {
      String nodeName = nodeName(node);
      String op = node.getOpType();
      if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
        throw new UnsupportedNodeException("domain " + node.getDomain() + " is not supported");
      }
      Map<String, Object> attrs = attributes(node, nodeName);
      String out = node.getOutput(0);
      if (op.equals("Constant")) {
        folded.merge(op, 1, Integer::sum);
        putConstant(out, constantValue(attrs, nodeName));
        return;
      }
      List<String> ins = new ArrayList<>(node.getInputList());
      List<int[]> inShapes = new ArrayList<>();
      List<float[]> inConsts = new ArrayList<>();
      List<Const> consts = new ArrayList<>();
      boolean allConst = true;
      for (String in : ins) {
        if (in.isEmpty()) {
          inShapes.add(null);
          inConsts.add(null);
          consts.add(null);
          continue;
        }
        int[] shape = shapes.get(in);
        if (shape == null) {
          throw new UnsupportedNodeException("its input '" + in + "' comes from a node that cannot run");
        }
        Const c = constants.get(in);
        inShapes.add(shape);
        inConsts.add(c == null ? null : c.asFloats());
        consts.add(c);
        allConst &= c != null;
      }
      NodeView view = new NodeView(nodeName, op, opset, ins, inShapes, inConsts, attrs);
      boolean foldable = Folds.OPS.contains(op) || op.equals("Reshape") || op.equals("Concat");
      if (op.equals("Shape") || foldable && allConst) {
        folded.merge(op, 1, Integer::sum);
        putConstant(out, Folds.fold(view, consts));
        return;
      }
      if (Folds.RESHAPING.contains(op)) {
        int[] shape = op.equals("Identity") ? inShapes.get(0) : Folds.squeezeShape(view, consts);
        addStep(nodeName, op, new ReshapeKind.Reshaped(shape), List.of(ins.get(0)), out);
        return;
      }
      if (Folds.OPS.contains(op)) {
        throw new UnsupportedNodeException(op + " runs only where it folds to a constant at import, and input '"
            + ins.get(0) + "' is computed at run time");
      }
      LayerKind kind = LayerKinds.of(op);
      if (kind == null) {
        throw new UnsupportedNodeException("the operator is not in the supported set");
      }
      if (op.equals("Conv") && (ins.size() < 3 || ins.get(2).isEmpty())) {
        // every Conv gets a bias, so the kernel has one signature and BatchNorm folding has a target
        String bias = nodeName + "/zero_bias";
        putConstant(bias, new Const(new int[] {inShapes.get(1)[0]}, new double[inShapes.get(1)[0]], false));
        while (ins.size() < 3) {
          ins.add("");
          inShapes.add(null);
          inConsts.add(null);
        }
        ins.set(2, bias);
        inShapes.set(2, shapes.get(bias));
        inConsts.set(2, constants.get(bias).asFloats());
        view = new NodeView(nodeName, op, opset, ins, inShapes, inConsts, attrs);
      }
      Layer layer = kind.create(view);
      List<String> deviceInputs = new ArrayList<>();
      for (int i : layer.deviceInputs(ins.size())) {
        deviceInputs.add(ins.get(i));
      }
      if (allConst && !ins.isEmpty()) {
        folded.merge(op, 1, Integer::sum);
        putConstant(out, ConstantEvaluator.evaluate(layer, deviceInputs, constants));
        return;
      }
      addStep(nodeName, op, layer, deviceInputs, out);
    }

    private void addStep(String node, String op, Layer layer, List<String> ins, String out) {
      steps.add(new Step(node, op, layer, List.copyOf(ins), out));
      shapes.put(out, layer.outputShape());
    }

    private Map<String, Object> attributes(NodeProto node, String nodeName) {
      Map<String, Object> attrs = new HashMap<>();
      for (AttributeProto a : node.getAttributeList()) {
        Object v = switch (a.getType()) {
          case INT -> a.getI();
          case FLOAT -> a.getF();
          case STRING -> a.getS().toStringUtf8();
          case INTS -> a.getIntsList().stream().mapToLong(Long::longValue).toArray();
          case FLOATS -> {
            float[] f = new float[a.getFloatsCount()];
            for (int i = 0; i < f.length; i++) {
              f[i] = a.getFloats(i);
            }
            yield f;
          }
          case TENSOR -> Tensors.read(a.getT(), node.getOpType() + " node '" + nodeName + "'");
          default -> null; // graphs, sparse tensors: no supported operator reads them
        };
        if (v != null) {
          attrs.put(a.getName(), v);
        }
      }
      return attrs;
    }

    private static Const constantValue(Map<String, Object> a, String node) {
      if (a.get("value") instanceof Const c) {
        return c;
      }
      if (a.get("value_float") instanceof Float f) {
        return new Const(new int[0], new double[] {f}, false);
      }
      if (a.get("value_int") instanceof Long l) {
        return new Const(new int[0], new double[] {l}, true);
      }
      if (a.get("value_ints") instanceof long[] l) {
        double[] v = new double[l.length];
        for (int i = 0; i < l.length; i++) {
          v[i] = l[i];
        }
        return new Const(new int[] {l.length}, v, true);
      }
      if (a.get("value_floats") instanceof float[] f) {
        return Const.floats(new int[] {f.length}, f);
      }
      throw new UnsupportedNodeException("Constant node '" + node + "' has no value this importer reads");
    }
  }

  /** Names of the operators this importer runs or folds. */
  public static Set<String> supportedOperators() {
    Set<String> ops = new HashSet<>(Folds.OPS);
    ops.add("Constant");
    for (LayerKind k : LayerKinds.ALL) {
      ops.add(k.op());
    }
    return ops;
  }
}
