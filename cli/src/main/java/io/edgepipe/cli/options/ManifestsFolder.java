package io.edgepipe.cli.options;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR} of the commands that write k3s manifests (the repository keeps them in manifests/). */
public final class ManifestsFolder {
  @Option(names = "--out", defaultValue = "manifests", paramLabel = "DIR",
      description = "Folder for the manifests, one subfolder per pipeline and placement (default: ${DEFAULT-VALUE}).")
  Path folder;

  /** The old names of the flag, still accepted. */
  @Option(names = {"-o", "--output-dir", "--manifests-dir"}, hidden = true, paramLabel = "DIR")
  void oldName(Path folder) {
    this.folder = folder;
  }

  public Path folder() {
    return folder;
  }
}
