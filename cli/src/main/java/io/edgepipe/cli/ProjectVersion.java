package io.edgepipe.cli;

import io.edgepipe.planner.manifest.ManifestOptions;
import picocli.CommandLine.IVersionProvider;

/** {@code -V}: the version this build was made from (the one the default image tag uses too). */
final class ProjectVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"edgepipe " + ManifestOptions.projectVersion()};
  }
}
