package io.edgepipe.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgepipe.api.proto.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The chain a pipeline runs, read from a small YAML file:
 *
 * <pre>
 * name: thesis
 * input:  {channels: 1, height: 720, width: 1280, dtype: u8}   # what the producer sends
 * max_frame_bytes: 134217728                                  # largest payload a hop accepts
 * deadline_ms: 0                                              # 0 = none
 * delivery: reliable                                          # or realtime (see Delivery)
 * stages:
 *   - {name: conv, kind: conv2d, out_channels: 1, kernel: 3, stride: 1, padding: 1,
 *      weights: {seed: 7}, output_dtype: f32}                 # or weights: {file: w.bin}
 *   - {name: relu, kind: relu, output_dtype: f32}
 *   - {name: maxpool, kind: maxpool, window: 2, stride: 2, output_dtype: f32}
 * </pre>
 * {@code input} and each stage may also say {@code codec: none|lz4|zstd}, how the hop leaving the
 * producer or that stage encodes its payload on the wire ({@link PayloadCodec}; default none).
 *
 * Unknown keys and impossible shapes are refused with a {@link SpecException} naming the key.
 */
public record PipelineSpec(
    String name,
    TensorShape input,
    DType inputType,
    long maxFrameBytes,
    long deadlineMillis,
    Delivery delivery,
    boolean deliveryDeclared,
    List<LayerSpec> layers,
    PayloadCodec inputCodec) {

  /** A spec whose producer hop is not compressed. */
  public PipelineSpec(String name, TensorShape input, DType inputType, long maxFrameBytes, long deadlineMillis,
      Delivery delivery, boolean deliveryDeclared, List<LayerSpec> layers) {
    this(name, input, inputType, maxFrameBytes, deadlineMillis, delivery, deliveryDeclared, layers, PayloadCodec.NONE);
  }

  public static final long DEFAULT_MAX_FRAME_BYTES = 256L << 20;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static PipelineSpec load(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new SpecException("cannot read pipeline spec " + FileProblem.describe(file, e));
    }
  }

  public static PipelineSpec parse(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new SpecException("pipeline spec is not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new SpecException("pipeline spec must be a YAML mapping with keys name, input, stages");
    }
    allowOnly(root, "", "name", "input", "stages", "max_frame_bytes", "deadline_ms", "delivery");
    String name = text(root, "", "name", "pipeline");
    JsonNode in = require(root, "", "input");
    allowOnly(in, "input", "channels", "height", "width", "dtype", "codec");
    TensorShape input = new TensorShape(
        positive(in, "input", "channels", -1), positive(in, "input", "height", -1),
        positive(in, "input", "width", -1));
    DType inputType = dtype(in, "input", "dtype", "u8");
    PayloadCodec inputCodec = codec(in, "input");
    long maxBytes = root.has("max_frame_bytes") ? positiveLong(root, "max_frame_bytes") : DEFAULT_MAX_FRAME_BYTES;
    long deadline = root.has("deadline_ms") ? root.get("deadline_ms").asLong(-1) : 0;
    if (deadline < 0) {
      throw new SpecException("deadline_ms: must be 0 (none) or a positive number of milliseconds");
    }
    Delivery delivery;
    boolean deliveryDeclared = root.hasNonNull("delivery");
    try {
      delivery = Delivery.parse(text(root, "", "delivery", "reliable"));
    } catch (IllegalArgumentException e) {
      throw new SpecException("delivery: " + e.getMessage());
    }
    JsonNode stages = require(root, "", "stages");
    if (!stages.isArray() || stages.isEmpty()) {
      throw new SpecException("stages: must be a non-empty list of layers");
    }
    List<LayerSpec> layers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < stages.size(); i++) {
      LayerSpec layer = layer(stages.get(i), "stages[" + i + "]");
      if (!names.add(layer.name())) {
        throw new SpecException("stages[" + i + "].name: '" + layer.name() + "' is used twice");
      }
      layers.add(layer);
    }
    PipelineSpec spec = new PipelineSpec(name, input, inputType, maxBytes, deadline, delivery, deliveryDeclared,
        List.copyOf(layers), inputCodec);
    spec.shapes(); // refuse impossible shapes now, naming the key
    return spec;
  }

  /** The same chain fed with frames of another size (benchmarks sweep sizes with one spec). */
  public PipelineSpec withInput(int height, int width) {
    PipelineSpec spec = new PipelineSpec(name, new TensorShape(input.c(), height, width), inputType,
        maxFrameBytes, deadlineMillis, delivery, deliveryDeclared, layers, inputCodec);
    spec.shapes();
    return spec;
  }

  /** The same chain with another delivery mode (a run's --delivery flag wins over the spec). */
  public PipelineSpec withDelivery(Delivery mode) {
    return new PipelineSpec(name, input, inputType, maxFrameBytes, deadlineMillis, mode, true, layers, inputCodec);
  }

  /** The same chain with another deadline in milliseconds (0 = none). */
  public PipelineSpec withDeadline(long millis) {
    return new PipelineSpec(name, input, inputType, maxFrameBytes, millis, delivery, deliveryDeclared, layers,
        inputCodec);
  }

  /** Shape on every hop: element 0 is the producer's output, element i+1 is layer i's output. */
  public List<TensorShape> shapes() {
    List<TensorShape> shapes = new ArrayList<>();
    TensorShape shape = input;
    shapes.add(shape);
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      String where = "stages[" + i + "] (" + layer.name() + ")";
      try {
        shape = layer.outputShape(shape, where);
      } catch (IllegalArgumentException e) {
        if (e instanceof SpecException) {
          throw e;
        }
        throw new SpecException(where + ": input " + shape + " gives an empty output (" + e.getMessage() + ")");
      }
      shapes.add(shape);
    }
    return shapes;
  }

  /** Element type on every hop, in the same order as {@link #shapes()}. */
  public List<DType> hopTypes() {
    List<DType> types = new ArrayList<>();
    types.add(inputType);
    for (LayerSpec layer : layers) {
      types.add(layer.outputType());
    }
    return types;
  }

  /** Codec on every hop, in the same order as {@link #shapes()}. */
  public List<PayloadCodec> hopCodecs() {
    List<PayloadCodec> codecs = new ArrayList<>();
    codecs.add(inputCodec);
    for (LayerSpec layer : layers) {
      codecs.add(layer.outputCodec());
    }
    return codecs;
  }

  /**
   * The same chain with a codec per hop, in the order of {@link #shapes()} (the planner's choice
   * or a benchmark's), replacing what the spec said.
   */
  public PipelineSpec withHopCodecs(List<PayloadCodec> codecs) {
    if (codecs.size() != layers.size() + 1) {
      throw new IllegalArgumentException("need " + (layers.size() + 1) + " codecs (one per hop), got " + codecs.size());
    }
    List<LayerSpec> recoded = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      recoded.add(layers.get(i).withOutputCodec(codecs.get(i + 1)));
    }
    return new PipelineSpec(name, input, inputType, maxFrameBytes, deadlineMillis, delivery, deliveryDeclared,
        List.copyOf(recoded), codecs.get(0));
  }

  public LayerSpec layer(String stageName) {
    for (LayerSpec layer : layers) {
      if (layer.name().equals(stageName)) {
        return layer;
      }
    }
    throw new SpecException("stage '" + stageName + "' is not in pipeline '" + name + "'");
  }

  public int indexOf(String stageName) {
    return layers.indexOf(layer(stageName));
  }

  private static LayerSpec layer(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new SpecException(where + ": each stage must be a mapping with at least name and kind");
    }
    String kind = text(node, where, "kind", null);
    String name = text(node, where, "name", kind);
    DType out = dtype(node, where, "output_dtype", "f32");
    PayloadCodec codec = codec(node, where);
    switch (kind) {
      case LayerSpec.CONV2D: {
        allowOnly(node, where, "name", "kind", "out_channels", "kernel", "stride", "padding", "weights", "output_dtype",
            "codec");
        int padding = node.has("padding") ? node.get("padding").asInt(-1) : 0;
        if (padding < 0 || !node.path("padding").isMissingNode() && !node.get("padding").isInt()) {
          throw new SpecException(where + ".padding: must be an integer >= 0");
        }
        String file = null;
        long seed = 1;
        if (node.has("weights")) {
          JsonNode w = node.get("weights");
          allowOnly(w, where + ".weights", "file", "seed");
          if (w.has("file") == w.has("seed")) {
            throw new SpecException(where + ".weights: give exactly one of file or seed");
          }
          if (w.has("file")) {
            file = w.get("file").asText();
          } else {
            if (!w.get("seed").canConvertToLong()) {
              throw new SpecException(where + ".weights.seed: must be an integer");
            }
            seed = w.get("seed").asLong();
          }
        }
        int kernel = positive(node, where, "kernel", 3);
        return new LayerSpec(name, kind, positive(node, where, "out_channels", 1), kernel,
            positive(node, where, "stride", 1), padding, 0, file, seed, out, codec);
      }
      case LayerSpec.RELU:
        allowOnly(node, where, "name", "kind", "output_dtype", "codec");
        return new LayerSpec(name, kind, 0, 0, 1, 0, 0, null, 0, out, codec);
      case LayerSpec.MAXPOOL: {
        allowOnly(node, where, "name", "kind", "window", "stride", "output_dtype", "codec");
        int window = positive(node, where, "window", 2);
        return new LayerSpec(name, kind, 0, 0, positive(node, where, "stride", window), 0, window, null, 0, out, codec);
      }
      default:
        throw new SpecException(where + ".kind: unknown layer kind '" + kind + "' (use conv2d, relu or maxpool)");
    }
  }

  private static void allowOnly(JsonNode node, String where, String... keys) {
    if (!node.isObject()) {
      throw new SpecException((where.isEmpty() ? "spec" : where) + ": must be a mapping");
    }
    Set<String> allowed = Set.of(keys);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new SpecException(path(where, key) + ": unknown key (allowed here: " + String.join(", ", keys) + ")");
      }
    }
  }

  private static JsonNode require(JsonNode node, String where, String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw new SpecException(path(where, key) + ": missing");
    }
    return value;
  }

  private static String text(JsonNode node, String where, String key, String fallback) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      if (fallback == null) {
        throw new SpecException(path(where, key) + ": missing");
      }
      return fallback;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw new SpecException(path(where, key) + ": must be a non-empty string");
    }
    return value.asText();
  }

  private static int positive(JsonNode node, String where, String key, int fallback) {
    JsonNode value = node.get(key);
    if (value == null) {
      if (fallback < 0) {
        throw new SpecException(path(where, key) + ": missing");
      }
      return fallback;
    }
    if (!value.isInt() || value.asInt() <= 0) {
      throw new SpecException(path(where, key) + ": must be a positive integer, got " + value);
    }
    return value.asInt();
  }

  private static long positiveLong(JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() <= 0) {
      throw new SpecException(key + ": must be a positive integer, got " + value);
    }
    return value.asLong();
  }

  private static DType dtype(JsonNode node, String where, String key, String fallback) {
    String text = text(node, where, key, fallback);
    try {
      return ElementType.parse(text);
    } catch (IllegalArgumentException e) {
      throw new SpecException(path(where, key) + ": " + e.getMessage());
    }
  }

  private static PayloadCodec codec(JsonNode node, String where) {
    String text = text(node, where, "codec", "none");
    try {
      return PayloadCodec.parse(text);
    } catch (IllegalArgumentException e) {
      throw new SpecException(path(where, "codec") + ": " + e.getMessage());
    }
  }

  private static String path(String where, String key) {
    return where.isEmpty() ? key : where + "." + key;
  }
}
