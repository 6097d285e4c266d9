package io.edgepipe.cli.model;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline model}: real networks from ONNX files. */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = {"Real networks from ONNX files: list their layers, tensors and cut points (inspect), "
        + "write a pipeline spec that runs one split at cut points (import), compare its speed with ONNX Runtime (bench).",
        "Fetch the shipped models and photos with scripts/fetch-models.sh."},
    subcommands = {ModelInspectCommand.class, ModelImportCommand.class, ModelRunCommand.class, ModelBenchCommand.class})
public final class ModelCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
