package io.edgepipe.planner.manifest;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.SpecException;
import io.edgepipe.api.Placement;
import io.edgepipe.planner.StageChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pipeline spec with the text it was read from: manifests carry the text verbatim (comments
 * included) in their config map, while placements are checked against the parsed chain. A model
 * spec also has its ONNX file ({@code model}; null otherwise), and its text names where the pods
 * find that file.
 */
public record SpecFile(Path path, PipelineSpec spec, String text, ModelFile model) {
  public SpecFile(Path path, PipelineSpec spec, String text) {
    this(path, spec, text, null);
  }

  /** @throws SpecException when the file is missing or not a valid spec */
  public static SpecFile load(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new SpecException("cannot read pipeline spec " + io.edgepipe.api.FileProblem.describe(path, e));
    }
    return new SpecFile(path, PipelineSpec.parse(text), text);
  }

  public StageChain chain() {
    return StageChain.of(spec);
  }

  /** Parses a placement string against this spec's chain (throws PlacementException). */
  public Placement placement(String letters) {
    return Placement.parse(letters, chain().stages());
  }

  public PipelineManifests manifests(Placement placement, ManifestOptions options) {
    return ManifestGenerator.generate(spec, text, model, placement, options);
  }
}
