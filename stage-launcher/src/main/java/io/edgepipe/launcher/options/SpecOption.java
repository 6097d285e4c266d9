package io.edgepipe.launcher.options;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.models.pipeline.ModelPipelines;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --spec FILE}: the pipeline spec, the same flag and default on every command that reads one. */
public final class SpecOption {
  @Option(names = "--spec", defaultValue = "${env:EDGEPIPE_SPEC:-pipelines/thesis.yaml}", paramLabel = "FILE",
      description = "Pipeline spec (default: ${DEFAULT-VALUE}; env EDGEPIPE_SPEC).")
  Path file;

  public Path file() {
    return file;
  }

  /** Reads {@code resolved} instead from now on (a model spec whose {@code split: auto} the planner resolved). */
  public void use(Path resolved) {
    this.file = resolved;
  }

  /**
   * The spec as written; a missing or bad file is a user error naming the resolved path. A model
   * spec ({@code pipeline model import}) is the chain of its services.
   */
  public PipelineSpec load() {
    return load(file);
  }

  /** A pipeline spec or a model spec from {@code file}, as {@link #load()}. */
  public static PipelineSpec load(Path file) {
    return ModelPipelines.isModelSpec(file) ? ModelPipelines.load(file) : PipelineSpec.load(file);
  }

  /** Whether the file is a model spec rather than a layer chain. */
  public boolean isModel() {
    return ModelPipelines.isModelSpec(file);
  }
}
