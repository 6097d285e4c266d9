package io.edgepipe.cli.deploy;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.control.ClusterPlacement;
import io.edgepipe.planner.control.ClusterTimingFeed;
import io.edgepipe.planner.control.LiveProfile;
import io.edgepipe.planner.control.Replanner;
import io.edgepipe.planner.manifest.SpecFile;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileException;
import io.edgepipe.planner.profile.ProfileMatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline autoplace}: move a deployed pipeline to a placement now, or follow the best one as conditions change. */
@Command(name = "autoplace", mixinStandardHelpOptions = true,
    description = {"Move a deployed pipeline between tiers by patching its Deployments' node selectors (a rolling update).",
        "With --placement, move there now. With --profile, watch the stages' phase times through the API server, "
            + "re-plan every --interval, and move when another placement is predicted better by --margin for --dwell."})
public final class AutoplaceCommand implements Callable<Integer> {
  @Option(names = "--placement", description = "Move to this placement now, e.g. ESSS.")
  String placement;

  @Option(names = "--profile", description = "Profile JSON of the deployed spec (`pipeline measure`): start of the live profile.")
  Path profile;

  @Mixin
  KubeContext kube;

  @Option(names = "--interval", defaultValue = "5", paramLabel = "SECONDS", description = "Re-plan every this often (default: ${DEFAULT-VALUE}).")
  long intervalSeconds;

  @Option(names = "--margin", defaultValue = "0.2", description = "Least predicted gain worth a move (default: ${DEFAULT-VALUE} = 20%).")
  double margin;

  @Option(names = "--dwell", defaultValue = "15", paramLabel = "SECONDS", description = "How long the gain must hold (default: ${DEFAULT-VALUE}).")
  long dwellSeconds;

  @Option(names = "--cooldown", defaultValue = "60", paramLabel = "SECONDS", description = "Least time between moves (default: ${DEFAULT-VALUE}).")
  long cooldownSeconds;

  @Option(names = "--edge-cores", description = "Cores of an edge node (default: this machine's, and it says so).")
  Double edgeCores;

  @Option(names = "--server-cores", description = "Cores of a server node (default: this machine's, and it says so).")
  Double serverCores;

  @Option(names = "--rounds", defaultValue = "0", description = "Stop after this many re-plans (default: 0 = until interrupted).")
  int rounds;

  @Mixin
  ManifestFlags flags;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Guarded.run(spec, () -> {
      if ((placement == null) == (profile == null)) {
        throw new ProfileException("give --placement (move now) or --profile (follow the best placement), not "
            + (placement == null ? "neither" : "both"));
      }
      PrintWriter out = spec.commandLine().getOut();
      SpecFile specFile = flags.specFile();
      List<String> stages = specFile.chain().stages();
      try (KubernetesClient client = kube.connect()) {
        ClusterPlacement cluster = new ClusterPlacement(client, flags.namespace.name());
        flags.colocate = cluster.colocated(); // a move keeps the deployed layout, whatever the flag says
        if (placement != null) {
          Placement target = specFile.placement(placement);
          List<String> moved = cluster.move(flags.withSecrets(flags.unplanned(specFile, target)));
          out.println(moved.isEmpty() ? "already at " + target : "moved " + String.join(", ", moved) + " for " + target);
          out.flush();
          return 0;
        }
        follow(out, specFile, stages, client, cluster);
      }
      return 0;
    });
  }

  private void follow(PrintWriter out, SpecFile specFile, List<String> stages, KubernetesClient client,
      ClusterPlacement cluster) throws InterruptedException {
    Profile measured = Profile.read(profile);
    ProfileMatch.Result match = ProfileMatch.check(measured, profile.toString(), specFile.spec(),
        specFile.path().toString(), null);
    PlannerOptions options = PlannerOptions.defaults().withFrameSize(match.frameSize())
        .withCores(edgeCores, serverCores, Runtime.getRuntime().availableProcessors());
    if (options.coresAssumed()) {
      out.println("cores not given: assuming this machine's for each tier not given (--edge-cores, --server-cores)");
    }
    Placement start = cluster.current(stages);
    Replanner replanner = new Replanner(new LiveProfile(measured, match.frameSize(), 0.3, options.edgeCores(),
        options.serverCores()), options, start, new Replanner.Settings(Objective.THROUGHPUT, margin,
        Duration.ofSeconds(dwellSeconds), Duration.ofSeconds(cooldownSeconds), false));
    ClusterTimingFeed feed = new ClusterTimingFeed(client, flags.namespace.name());
    out.println("following " + start + " in namespace " + flags.namespace.name() + " every " + intervalSeconds + " s");
    out.flush();
    for (int round = 0; rounds == 0 || round < rounds; round++) {
      Thread.sleep(Duration.ofSeconds(intervalSeconds).toMillis());
      feed.sample(stages).feed(replanner); // phase times and each stage process's CPU since the last round
      Replanner.Decision d = replanner.evaluate(Instant.now());
      out.println(Instant.now() + " " + d.reason());
      if (d.move()) {
        List<String> moved = cluster.move(flags.withSecrets(flags.unplanned(specFile, d.target())));
        replanner.moved(d.target(), Instant.now());
        out.println("  moved " + String.join(", ", moved));
      }
      out.flush();
    }
  }
}
