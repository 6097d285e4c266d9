package io.edgepipe.cli.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out DIR}: the root folder every command writes its results under, each in its own
 * subfolder ({@code DIR/run}, {@code DIR/bench}, {@code DIR/testbed}, {@code DIR/profiles}, {@code DIR/manifests}).
 */
public final class OutputFolder {
  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR",
      description = "Folder the results go under, each command in its own subfolder (default: ${DEFAULT-VALUE}).")
  Path root;

  /** The old flags: the exact folder for this command's files, no subfolder. Still accepted. */
  @Option(names = {"--results", "-o", "--output-dir", "--manifests-dir"}, hidden = true, paramLabel = "DIR")
  Path exact;

  /** Where this command's files go: {@code --out}/{@code kind}, or the folder {@code --results} named. */
  public Path folder(String kind) {
    return exact != null ? exact : root.resolve(kind);
  }

  public Path root() {
    return exact != null ? exact : root;
  }
}
