package io.edgepipe.launcher.options;

import io.edgepipe.api.PipelineSpec;
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

  /** The spec as written; a missing or bad file is a user error naming the resolved path. */
  public PipelineSpec load() {
    return PipelineSpec.load(file);
  }
}
