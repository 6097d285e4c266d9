package io.edgepipe.cli.deploy;

import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.planner.manifest.ManifestWriter;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SpecFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline manifests --placement EESS}: write the k3s manifests of a placement, apply nothing. */
@Command(name = "manifests", mixinStandardHelpOptions = true,
    description = {"Write the k3s manifests of a placement to OUT/<pipeline>-<placement>/ without applying them.",
        "Apply them yourself with: kubectl apply -k OUT/<pipeline>-<placement> (a model spec: kubectl apply "
            + "--server-side -k ..., as printed)."})
public final class ManifestsCommand implements Callable<Integer> {
  @Mixin
  PlacementOption placement;

  @Mixin
  OutputFolder out;

  @Mixin
  ManifestFlags flags;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Guarded.run(spec, () -> {
      SpecFile specFile = flags.specFile();
      PipelineManifests manifests = flags.unplanned(specFile, placement.of(specFile));
      Path dir = flags.write(manifests, out.folder("manifests"));
      spec.commandLine().getOut().println("wrote " + dir + " (" + ManifestWriter.applyCommand(manifests, dir) + ")");
      return 0;
    });
  }
}
