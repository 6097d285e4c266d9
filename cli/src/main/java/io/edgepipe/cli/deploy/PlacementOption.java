package io.edgepipe.cli.deploy;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.manifest.SpecFile;
import picocli.CommandLine.Option;

/** {@code --placement}, required: the placement whose manifests a command writes or applies (manifests, deploy). */
public final class PlacementOption {
  @Option(names = "--placement", required = true, description = "One letter per stage, producer first: E (edge) or S (server), e.g. EESS.")
  String placement;

  /** The placement for {@code specFile}'s chain (a PlacementException when the letters do not fit it). */
  Placement of(SpecFile specFile) {
    return specFile.placement(placement);
  }
}
