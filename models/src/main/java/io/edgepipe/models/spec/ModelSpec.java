package io.edgepipe.models.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgepipe.models.exec.ModelInput;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pipeline spec that runs an imported model, split into services at cut points:
 *
 * <pre>
 * name: blazeface
 * model:
 *   file: data/models/blazeface-front-128.onnx
 *   input: {name: "input:0", shape: [1, 128, 128, 3], layout: nhwc, channels: rgb,
 *           normalize: {scale: [0.00784314, ...], shift: [-1, -1, -1]}}
 *   postprocess: blazeface          # blazeface, ppocr-cls or none
 * split: auto                       # or: cuts (the services below are the split)
 * services:
 *   - {name: blazeface-c0-c40, from: 0, to: 40}
 *   - {name: blazeface-c40-c97, from: 40, to: 97}
 * </pre>
 *
 * With {@code split: auto} the services list may be omitted (one service for the whole model
 * until the planner picks a cut). Services must cover cuts 0..N in order.
 */
public record ModelSpec(String name, Path modelFile, String inputName, int[] inputShape, ModelInput input,
    String postprocess, boolean autoSplit, List<Service> services) {

  /** One compute service: the layers between two cut points. */
  public record Service(String name, int from, int to) {}

  public static final Set<String> POSTPROCESS = Set.of("blazeface", "ppocr-cls", "none");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Service name for the partition between cuts a and b. */
  public static String serviceName(String model, int from, int to) {
    return model + "-c" + from + "-c" + to;
  }

  /** Services for the given interior cuts (sorted, each in 1..layers-1). */
  public static List<Service> servicesFor(String model, ModelGraph g, List<Integer> cuts) {
    List<Service> s = new ArrayList<>();
    int from = 0;
    List<Integer> sorted = new ArrayList<>(cuts);
    sorted.sort(null);
    sorted.add(g.steps().size());
    for (int to : sorted) {
      if (to <= from || to > g.steps().size()) {
        throw new IllegalArgumentException("cut " + to + " is not a cut point between 1 and " + (g.steps().size() - 1)
            + " (or is given twice)");
      }
      s.add(new Service(serviceName(model, from, to), from, to));
      from = to;
    }
    return s;
  }

  /** The model graph for this spec's input shape. */
  public ModelGraph graph() {
    return OnnxImporter.load(modelFile, Map.of(inputName, inputShape));
  }

  public String toYaml() {
    StringBuilder y = new StringBuilder();
    y.append("# Written by `pipeline model import`; services are named by the cut points they run between\n");
    y.append("# (see `pipeline model inspect ").append(modelFile).append("`).\n");
    y.append("name: ").append(name).append('\n');
    y.append("model:\n");
    y.append("  file: ").append(modelFile).append('\n');
    y.append("  input: {name: \"").append(inputName).append("\", shape: ").append(list(inputShape))
        .append(", layout: ").append(input.nhwc() ? "nhwc" : "nchw")
        .append(", channels: ").append(input.bgr() ? "bgr" : "rgb")
        .append(", normalize: {scale: ").append(list(input.scale())).append(", shift: ").append(list(input.shift()))
        .append("}}\n");
    y.append("  postprocess: ").append(postprocess).append('\n');
    y.append("split: ").append(autoSplit ? "auto" : "cuts").append('\n');
    y.append("services:\n");
    for (Service s : services) {
      y.append("  - {name: ").append(s.name()).append(", from: ").append(s.from()).append(", to: ").append(s.to())
          .append("}\n");
    }
    return y.toString();
  }

  public static ModelSpec load(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read model spec " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": a model spec is a YAML mapping with name, model, split, services");
    }
    allowOnly(root, "", "name", "model", "split", "services");
    String name = root.path("name").asText("model");
    JsonNode m = require(root, "model");
    allowOnly(m, "model", "file", "input", "postprocess");
    Path model = Path.of(require(m, "file").asText());
    JsonNode in = require(m, "input");
    allowOnly(in, "model.input", "name", "shape", "layout", "channels", "normalize");
    int[] shape = ints(require(in, "shape"), "model.input.shape");
    String layout = in.path("layout").asText("nchw");
    if (!layout.equals("nchw") && !layout.equals("nhwc")) {
      throw new IllegalArgumentException("model.input.layout: nchw or nhwc, got " + layout);
    }
    boolean nhwc = layout.equals("nhwc");
    if (shape.length != 4 || shape[nhwc ? 3 : 1] != 3) {
      throw new IllegalArgumentException("model.input.shape: must be [1, 3, H, W] (nchw) or [1, H, W, 3] (nhwc)");
    }
    JsonNode norm = in.path("normalize");
    float[] scale = floats3(norm.path("scale"), 1f, "model.input.normalize.scale");
    float[] shift = floats3(norm.path("shift"), 0f, "model.input.normalize.shift");
    String channels = in.path("channels").asText("rgb");
    ModelInput input = new ModelInput(nhwc ? shape[1] : shape[2], nhwc ? shape[2] : shape[3], nhwc,
        channels.equals("bgr"), scale, shift);
    String post = m.path("postprocess").asText("none");
    if (!POSTPROCESS.contains(post)) {
      throw new IllegalArgumentException("model.postprocess: one of " + POSTPROCESS + ", got " + post);
    }
    String split = root.path("split").asText("cuts");
    if (!split.equals("auto") && !split.equals("cuts")) {
      throw new IllegalArgumentException("split: auto or cuts, got " + split);
    }
    List<Service> services = new ArrayList<>();
    JsonNode list = root.path("services");
    int expect = 0;
    for (int i = 0; i < list.size(); i++) {
      JsonNode s = list.get(i);
      allowOnly(s, "services[" + i + "]", "name", "from", "to");
      int from = s.path("from").asInt(-1);
      int to = s.path("to").asInt(-1);
      if (from != expect || to <= from) {
        throw new IllegalArgumentException("services[" + i + "]: must run from cut " + expect + " to a later cut, got "
            + from + ".." + to);
      }
      services.add(new Service(s.path("name").asText(serviceName(name, from, to)), from, to));
      expect = to;
    }
    if (services.isEmpty() && !split.equals("auto")) {
      throw new IllegalArgumentException("services: missing (or say split: auto)");
    }
    return new ModelSpec(name, model, in.path("name").asText(), shape, input, post, split.equals("auto"), services);
  }

  /** The services, or the whole model as one when the spec leaves the split to the planner. */
  public List<Service> servicesOrMonolith(ModelGraph g) {
    if (!services.isEmpty()) {
      Service last = services.get(services.size() - 1);
      if (last.to() != g.steps().size()) {
        throw new IllegalArgumentException("services end at cut " + last.to() + ", the model has cuts 0.." + g.steps().size());
      }
      return services;
    }
    return List.of(new Service(serviceName(name, 0, g.steps().size()), 0, g.steps().size()));
  }

  private static void allowOnly(JsonNode node, String where, String... keys) {
    Set<String> allowed = Set.of(keys);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException((where.isEmpty() ? "" : where + ".") + k + ": unknown key (allowed: "
            + String.join(", ", keys) + ")");
      }
    }
  }

  private static JsonNode require(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(key + ": missing");
    }
    return v;
  }

  private static int[] ints(JsonNode n, String where) {
    if (!n.isArray()) {
      throw new IllegalArgumentException(where + ": must be a list of integers");
    }
    int[] r = new int[n.size()];
    for (int i = 0; i < r.length; i++) {
      if (!n.get(i).isInt() || n.get(i).asInt() < 1) {
        throw new IllegalArgumentException(where + ": must be positive integers, got " + n);
      }
      r[i] = n.get(i).asInt();
    }
    return r;
  }

  private static float[] floats3(JsonNode n, float fallback, String where) {
    if (n.isMissingNode()) {
      return new float[] {fallback, fallback, fallback};
    }
    if (n.isNumber()) {
      float v = (float) n.asDouble();
      return new float[] {v, v, v};
    }
    if (!n.isArray() || n.size() != 3) {
      throw new IllegalArgumentException(where + ": a number or a list of 3 numbers");
    }
    return new float[] {(float) n.get(0).asDouble(), (float) n.get(1).asDouble(), (float) n.get(2).asDouble()};
  }

  private static String list(int[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i > 0 ? ", " : "").append(v[i]);
    }
    return s.append(']').toString();
  }

  private static String list(float[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i > 0 ? ", " : "").append(v[i]);
    }
    return s.append(']').toString();
  }
}
