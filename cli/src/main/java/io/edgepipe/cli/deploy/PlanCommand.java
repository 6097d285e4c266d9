package io.edgepipe.cli.deploy;

import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.planner.manifest.PipelineManifests;
import io.edgepipe.planner.manifest.SpecFile;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlanCsv;
import io.edgepipe.planner.predict.PlanReport;
import io.edgepipe.planner.predict.PlanTable;
import io.edgepipe.planner.predict.Planner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.predict.ReplicaChoice;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileException;
import io.edgepipe.planner.profile.ProfileMatch;
import io.edgepipe.planner.profile.Statistic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
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
  @Option(names = "--profile", description = "Profile JSON written by `pipeline measure` (required, except for a model "
      + "spec: default <out>/profiles/<name>.json).")
  Path profile;

  @Option(names = "--link", paramLabel = "RATE[,LATENCY_MS]",
      description = "Model specs: plan for this edge-server link instead of the profile's (e.g. 10mbit,0.5).")
  String link;

  @Option(names = "--top", defaultValue = "10", description = "Model specs: cuts to list, best first (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--objective", defaultValue = "throughput", description = "throughput or latency (default: ${DEFAULT-VALUE}).")
  String objective;

  @Option(names = "--statistic", defaultValue = "median", description = "Compute times to use: median or p95, any case (default: ${DEFAULT-VALUE}).")
  Statistic statistic;

  @Option(names = "--all", description = "All 2^n placements, not only E^k S^(n-k) and all-server.")
  boolean all;

  @Option(names = "--edge-cores", description = "Cores of an edge node (0.5 = a half-core quota; 0 = unlimited); its "
      + "services share them (default: this machine's cores, and the plan says so).")
  Double edgeCores;

  @Option(names = "--server-cores", description = "Cores of a server node (0 = unlimited; default: this machine's cores, "
      + "and the plan says so).")
  Double serverCores;

  @Option(names = "--host-cores", defaultValue = "0", description = "Both nodes share one host of this many cores "
      + "(an emulated testbed): their CPU together is one more limit (default: separate machines).")
  double hostCores;

  @Option(names = "--max-replicas", defaultValue = "4", description = "Most replicas of the bottleneck stage on the server (default: ${DEFAULT-VALUE}).")
  int maxReplicas;

  @Option(names = "--frame-size", paramLabel = "WxH", description = "Frame size to plan for; it must be profiled "
      + "(default: the spec's input). Other than the spec's input, only with --no-manifests.")
  String frameSize;

  @Option(names = "--csv", paramLabel = "FILE", description = "Also write the candidate table as CSV.")
  Path csv;

  @Mixin
  OutputFolder manifestsOut;

  @Option(names = "--codec-costs", paramLabel = "FILE", description = "Codec CSV of `pipeline bench codec`: also "
      + "pick each cross-node hop's codec for the winner (the one that moves the most frames over that link).")
  Path codecCosts;

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
      if (flags.spec.isModel()) { // a model: rank its cuts
        PlannerOptions options = new PlannerOptions(parseObjective(), statistic, false, 0, 0, hostCores, 1, null)
            .withCores(edgeCores, serverCores, Runtime.getRuntime().availableProcessors());
        String name = io.edgepipe.models.spec.ModelSpec.load(flags.spec.file()).name();
        return ModelPlan.run(out, flags.spec.file(),
            profile != null ? profile : manifestsOut.folder("profiles").resolve(name + ".json"), options, link, csv, top);
      }
      if (profile == null) {
        throw new ProfileException("--profile is required: the JSON written by pipeline measure");
      }
      Profile measured = Profile.read(profile);
      SpecFile specFile = flags.specFile();
      ReplicaChoice replicas = flags.replicaChoice();
      FrameSize asked = parseFrameSize();
      ProfileMatch.Result match = ProfileMatch.check(measured, profile.toString(), specFile.spec(),
          specFile.path().toString(), asked);
      if (!noManifests && asked != null && !asked.equals(specInput(specFile))) {
        throw new ProfileException("--frame-size " + asked + " differs from the input " + specInput(specFile) + " of "
            + specFile.path() + ", which the manifests run; add --no-manifests to compare only, or change the spec");
      }
      if (match.warning() != null) {
        spec.commandLine().getErr().println(match.warning());
      }
      PlannerOptions options = new PlannerOptions(parseObjective(), statistic, all, 0, 0, hostCores, maxReplicas,
          match.frameSize()).withCores(edgeCores, serverCores, Runtime.getRuntime().availableProcessors());
      PlanReport report = new Planner(options).plan(measured);
      out.print(PlanTable.render(report));
      if (codecCosts != null) {
        out.print(codecTable(report, measured, options));
      }
      if (csv != null) {
        PlanCsv.write(report, csv);
        out.println("\ntable written to " + csv);
      }
      if (!noManifests) {
        Map<String, Integer> chosen = replicas.resolve(report);
        PipelineManifests manifests = specFile.manifests(report.winner().placement(), flags.options(chosen));
        out.println("\nmanifests for " + report.winner().placement() + " written to "
            + flags.write(manifests, manifestsOut.folder("manifests")) + (chosen.isEmpty() ? "" : " with replicas " + chosen));
        if (chosen.isEmpty() && !report.recommendedReplicas().isEmpty()) {
          out.println("replicas " + report.recommendedReplicas() + " not written: add --replicas auto to write them");
        }
      }
      out.flush();
      return 0;
    });
  }

  /** Each candidate's cross-node hops with the codec HopCodecChoice picks for each. */
  private String codecTable(PlanReport report, Profile measured, PlannerOptions options) {
    var costs = new io.edgepipe.planner.profile.CostModel(measured, options.frameSize(), options.statistic());
    var byHop = io.edgepipe.planner.codec.CodecPlan.readCosts(codecCosts);
    io.edgepipe.harness.report.Table t = new io.edgepipe.harness.report.Table("placement", "hop", "link", "bytes",
        "link_Mbit", "codec", "send_ms_none", "period_ms_codec", "hop_fps_none", "hop_fps_codec");
    for (var prediction : report.ranked()) {
      for (var h : io.edgepipe.planner.codec.CodecPlan.choose(prediction, costs, byHop)) {
        t.row(prediction.placement().toString(), h.hop(), h.link().toString(), h.bytes(), h.linkBitsPerSecond() / 1e6,
            h.best().cost().codec().label(), h.none().periodMs(), h.best().periodMs(), h.none().framesPerSecond(),
            h.best().framesPerSecond());
      }
    }
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    java.io.PrintStream ps = new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8);
    ps.println("\ncodec per cross-node hop (HopCodecChoice, costs from " + codecCosts + "; in-node hops keep none):");
    if (t.rows().isEmpty()) {
      ps.println("  no hop crosses between nodes, or none has codec costs");
    } else {
      t.print(ps);
    }
    return text.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private Objective parseObjective() {
    try {
      return Objective.parse(objective);
    } catch (IllegalArgumentException e) {
      throw new ProfileException("--objective: " + e.getMessage());
    }
  }

  private FrameSize parseFrameSize() {
    if (frameSize == null) {
      return null;
    }
    try {
      return FrameSize.parse(frameSize);
    } catch (IllegalArgumentException e) {
      throw new ProfileException("--frame-size: " + e.getMessage());
    }
  }

  private static FrameSize specInput(SpecFile specFile) {
    return FrameSize.of(specFile.spec().input().w(), specFile.spec().input().h());
  }
}
