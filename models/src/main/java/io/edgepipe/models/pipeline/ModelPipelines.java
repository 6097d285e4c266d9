package io.edgepipe.models.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.edgepipe.api.Delivery;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.SpecException;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.kinds.Shapes;
import io.edgepipe.models.spec.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model spec as the chain every runner starts: the producer sends pictures at the model's
 * input size (3 x H x W, u8, BGR as from a camera), one {@link LayerSpec#PARTITION} layer per
 * service of the spec, and the sink. So {@code pipeline run}, {@code run --processes}, {@code
 * --monolith}, {@code pipeline stage} and the testbed run a model as they run the thesis chain.
 */
public final class ModelPipelines {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Imported graphs by spec file and input shape: every service of an embedded run reads the same one. */
  private static final Map<String, ModelGraph> GRAPHS = new ConcurrentHashMap<>();

  private ModelPipelines() {}

  /** Whether {@code file} is a model spec (it has a {@code model:} key) rather than a layer chain. */
  public static boolean isModelSpec(Path file) {
    try {
      JsonNode root = YAML.readTree(Files.readString(file));
      return root != null && root.isObject() && root.has("model");
    } catch (IOException e) {
      return false; // the pipeline-spec reader reports the unreadable file
    }
  }

  /** Loads a model spec as a pipeline; a bad spec or model is a {@link SpecException} (one line, exit 2). */
  public static PipelineSpec load(Path file) {
    try {
      ModelSpec spec = ModelSpec.load(file);
      return of(spec, graph(spec), file);
    } catch (IllegalArgumentException e) {
      throw e instanceof SpecException ? e : new SpecException(file + ": " + e.getMessage());
    }
  }

  /** The pipeline of {@code spec} (read from {@code file}, which every service re-reads by its layers). */
  public static PipelineSpec of(ModelSpec spec, ModelGraph g, Path file) {
    if (!g.unsupported().isEmpty()) {
      throw new SpecException(spec.modelFile() + ": " + g.unsupported().get(0).line());
    }
    List<LayerSpec> layers = new ArrayList<>();
    for (ModelSpec.Service s : spec.servicesOrMonolith(g)) {
      long elements = g.crossingBytes(s.to()) / 4;
      layers.add(new LayerSpec(s.name(), LayerSpec.PARTITION, Math.toIntExact(elements), 0, 0, 0, 0,
          file.toAbsolutePath().toString(), 0, DType.F32));
    }
    return new PipelineSpec(spec.name(), new TensorShape(3, spec.input().height(), spec.input().width()), DType.U8,
        PipelineSpec.DEFAULT_MAX_FRAME_BYTES, 0, Delivery.RELIABLE, false, List.copyOf(layers));
  }

  /** The model spec a partition layer names, and its graph (imported once per process). */
  static ModelGraph graph(ModelSpec spec) {
    String key = spec.modelFile().toAbsolutePath() + "|" + Shapes.format(spec.inputShape());
    return GRAPHS.computeIfAbsent(key, k -> spec.graph());
  }
}
