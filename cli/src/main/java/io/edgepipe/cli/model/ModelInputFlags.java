package io.edgepipe.cli.model;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --spec MODEL.yaml --source images:DIR|npy:DIR}: what the commands that run a model spec in one process read. */
public final class ModelInputFlags {
  @Option(names = "--spec", required = true, description = "A spec written by 'pipeline model import'.")
  Path spec;

  @Option(names = "--source", required = true, description = "images:DIR (pictures) or npy:DIR (float32 input tensors).")
  String source;
}
