package io.edgepipe.cli.deploy;

import io.edgepipe.cli.options.ManifestsFolder;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.manifest.ManifestWriter;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SpecFile;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlanCsv;
import io.edgepipe.planner.predict.PlanReport;
import io.edgepipe.planner.predict.PlanTable;
import io.edgepipe.planner.predict.Planner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileException;
import io.edgepipe.planner.profile.Statistic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline plan --profile p.json}: predict every placement, pick one, write its manifests. */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Rank every candidate placement from a measured profile and write the winner's manifests.",
        "Latency, throughput and CCR of each placement are predicted from the profile; the command explains the "
            + "winner and shows what fusing stages or replicating the bottleneck would gain."})
public final class PlanCommand implements Callable<Integer> {
  @Option(names = "--profile", required = true, description = "Profile JSON written by `pipeline measure`.")
  Path profile;

  @Option(names = "--objective", defaultValue = "throughput", description = "throughput or latency (default: ${DEFAULT-VALUE}).")
  String objective;

  @Option(names = "--statistic", defaultValue = "median", description = "Compute times to use: median or p95, any case (default: ${DEFAULT-VALUE}).")
  Statistic statistic;

  @Option(names = "--all", description = "All 2^n placements, not only E^k S^(n-k) and all-server.")
  boolean all;

  @Option(names = "--edge-cores", defaultValue = "0", description = "Cores of an edge node (0.5 = a half-core quota); its services share them (default: unlimited).")
  double edgeCores;

  @Option(names = "--server-cores", defaultValue = "0", description = "Cores of a server node (default: unlimited).")
  double serverCores;

  @Option(names = "--host-cores", defaultValue = "0", description = "Both nodes share one host of this many cores "
      + "(an emulated testbed): their CPU together is one more limit (default: separate machines).")
  double hostCores;

  @Option(names = "--max-replicas", defaultValue = "4", description = "Most replicas of the bottleneck stage on the server (default: ${DEFAULT-VALUE}).")
  int maxReplicas;

  @Option(names = "--frame-size", paramLabel = "WxH", description = "Frame size to plan for (default: the spec's input if profiled, else the largest profiled).")
  String frameSize;

  @Option(names = "--csv", paramLabel = "FILE", description = "Also write the candidate table as CSV.")
  Path csv;

  @Mixin
  ManifestsFolder manifestsOut;

  @Option(names = "--no-manifests", description = "Do not write manifests.")
  boolean noManifests;

  @Mixin
  ManifestFlags flags;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Guarded.run(spec, () -> {
      PrintWriter out = spec.commandLine().getOut();
      Profile measured = Profile.read(profile);
      SpecFile specFile = flags.specFile();
      requireSameChain(measured, specFile);
      PlanReport report = new Planner(new PlannerOptions(parseObjective(), statistic, all, edgeCores, serverCores, hostCores,
          maxReplicas, frameSize(measured, specFile))).plan(measured);
      out.print(PlanTable.render(report));
      if (csv != null) {
        PlanCsv.write(report, csv);
        out.println("\ntable written to " + csv);
      }
      if (!noManifests) {
        PipelineManifests manifests = specFile.manifests(report.winner().placement(),
            flags.options(report.recommendedReplicas()));
        out.println("\nmanifests for " + report.winner().placement() + " written to "
            + ManifestWriter.write(manifests, manifestsOut.folder())
            + (report.recommendedReplicas().isEmpty() ? "" : " with replicas " + report.recommendedReplicas()));
      }
      out.flush();
      return 0;
    });
  }

  private Objective parseObjective() {
    try {
      return Objective.parse(objective);
    } catch (IllegalArgumentException e) {
      throw new ProfileException("--objective: " + e.getMessage());
    }
  }

  private FrameSize frameSize(Profile measured, SpecFile specFile) {
    if (frameSize != null) {
      try {
        return FrameSize.parse(frameSize);
      } catch (IllegalArgumentException e) {
        throw new ProfileException("--frame-size: " + e.getMessage());
      }
    }
    FrameSize input = FrameSize.of(specFile.spec().input().w(), specFile.spec().input().h());
    return measured.frameSizes().contains(input) ? input : null;
  }

  /** Manifests are written from the spec, so the profile must describe the same chain. */
  private static void requireSameChain(Profile measured, SpecFile specFile) {
    StageChain chain = specFile.chain();
    if (!measured.stages().equals(chain.stages())) {
      throw new ProfileException("profile stages " + measured.stages() + " differ from spec " + specFile.path()
          + " stages " + chain.stages() + "; pass the spec the profile was measured with (--spec)");
    }
  }
}
