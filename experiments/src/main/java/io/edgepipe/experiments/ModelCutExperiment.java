package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.experiments.models.ModelProfiles;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.testbed.TestbedRun;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Each cut of a model on the testbed, predicted and measured: the model is profiled on both nodes
 * (edge under its CPU cap, server), then for each link rate every chosen cut runs as an edge
 * service (layers before the cut, beside the producer) and a server service (the rest), warmed up,
 * for its throughput and then paced for its latency. Writes one CSV row per (link, cut), a
 * chart of measured fps per cut per link, and a markdown report: predicted vs measured fps and
 * latency with the error per cut, where the best cut moves as the link slows, and whether the
 * predicted best is the measured best against the naive rules (all-server; fewest bytes).
 */
public final class ModelCutExperiment {
  /**
   * @param cuts "auto" (all-server, all-edge, the fewest-bytes cut, each link's predicted best, and
   *             two single-tensor cuts at a third and two thirds of the model), "single" (every cut
   *             one tensor crosses, plus both ends), "all", or a list "0,4,40"
   */
  public record Settings(Path specFile, List<String> links, double edgeCpu, String cuts, int frames,
      double warmupSeconds, double mainSeconds, double pacedSeconds, int hostCores, Path outDir, String cliMain) {}

  private ModelCutExperiment() {}

  public static Path run(Settings s, TestbedDriver driver, PrintStream log) {
    try {
      Files.createDirectories(s.outDir());
      ModelSpec spec = ModelSpec.load(s.specFile());
      // every process reads the model by an absolute path, whatever its working folder
      Path specAbs = s.outDir().resolve(spec.name() + ".yaml").toAbsolutePath();
      ModelSpec absolute = new ModelSpec(spec.name(), spec.modelFile().toAbsolutePath(), spec.inputName(),
          spec.inputShape(), spec.input(), spec.postprocess(), false, List.of());
      ModelGraph g = absolute.graph();
      Files.writeString(specAbs, absolute.toYaml().replace("split: cuts", "split: auto"));
      int layers = g.steps().size();

      driver.up(s.links().get(0), s.edgeCpu());
      Path edgeProfile = s.outDir().resolve(spec.name() + "-edge.json").toAbsolutePath();
      Path profileFile = s.outDir().resolve(spec.name() + "-profile.json").toAbsolutePath();
      if (Files.exists(profileFile) && ModelProfiles.matches(Profile.read(profileFile), absolute, g)) {
        log.println("profile of " + spec.name() + " from " + profileFile + " (delete it to measure again)");
      } else {
        log.println("profiling " + spec.name() + " on the edge (" + s.edgeCpu() + " core) and the server ...");
        profileBothNodes(driver, specAbs, edgeProfile, profileFile, s.outDir());
      }
      Profile profile = Profile.read(profileFile);

      Map<String, CutPlanner.CutPlan> plans = new LinkedHashMap<>();
      for (String link : s.links()) {
        plans.put(link, plan(profile, link, s));
      }
      List<Integer> cuts = cuts(s.cuts(), g, plans);
      log.println("cuts to run: " + cuts + " at links " + s.links());

      Table rows = new Table("model", "link", "cut", "bytes_up", "placement", "pred_fps", "meas_fps", "fps_error_pct",
          "pred_latency_ms", "meas_p50_ms", "latency_error_pct", "lost");
      Map<String, Map<Integer, Double>> measuredFps = new LinkedHashMap<>();
      for (String link : s.links()) {
        driver.up(link, s.edgeCpu());
        Map<Integer, Double> fps = new LinkedHashMap<>();
        for (int cut : cuts) {
          Path file = s.outDir().resolve(spec.name() + "-cut" + cut + ".yaml").toAbsolutePath();
          List<Integer> inner = cut > 0 && cut < layers ? List.of(cut) : List.of();
          ModelSpec split = new ModelSpec(spec.name(), absolute.modelFile(), spec.inputName(), spec.inputShape(),
              spec.input(), spec.postprocess(), false, ModelSpec.servicesFor(spec.name(), g, inner));
          Files.writeString(file, split.toYaml());
          PipelineSpec pipeline = SpecOption.load(file);
          String placement = "E" + (cut > 0 ? "E" : "") + (cut < layers ? "S" : "");
          log.printf(Locale.ROOT, "%s at %s: cut %d (%s) ...%n", spec.name(), link, cut, placement);
          RunOptions o = new RunOptions(pipeline, file, "synthetic", s.frames(), 0, 1, "cpu", 1, null, "npy");
          TestbedDriver.PhasedResult r = driver.runPhased(pipeline, file, placement, o,
              new TestbedRun.Phases(s.warmupSeconds(), s.mainSeconds(), s.pacedSeconds(), 1000), () -> { });
          CutPlanner.CutPrediction p = plans.get(link).singles().get(cut);
          double measured = r.throughput().summary().fps();
          double p50 = r.paced().summary().latencyP50Ms();
          fps.put(cut, measured);
          rows.row(spec.name(), link, cut, p.bytesUp(), placement, p.fps(), measured, error(p.fps(), measured),
              p.latencyMs(), p50, error(p.latencyMs(), p50), r.throughput().lost() + r.paced().lost());
          log.printf(Locale.ROOT, "  predicted %.1f fps %.1f ms, measured %.1f fps, p50 %.1f ms paced%n", p.fps(),
              p.latencyMs(), measured, p50);
        }
        measuredFps.put(link, fps);
      }
      driver.down();
      rows.writeCsv(s.outDir().resolve(spec.name() + "-cuts.csv"));
      chart(spec.name(), cuts, measuredFps, s.outDir().resolve(spec.name() + "-fps-per-cut.png"));
      Path report = s.outDir().resolve(spec.name() + "-report.md");
      Files.writeString(report, report(spec.name(), layers, s, cuts, plans, measuredFps, rows, driver));
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The edge's compute measured in the edge node (under its cap), the server's in the server node, merged. */
  private static void profileBothNodes(TestbedDriver driver, Path specAbs, Path edgeProfile, Path profileFile, Path dir) {
    cli(driver, "edge", List.of("measure", "--spec", specAbs.toString(), "--tier", "edge", "--frames", "30",
        "--warmup", "10", "--profile", edgeProfile.toString()), dir.resolve("measure-edge.log"));
    cli(driver, "server", List.of("measure", "--spec", specAbs.toString(), "--tier", "server", "--frames", "30",
        "--warmup", "10", "--merge", edgeProfile.toString(), "--profile", profileFile.toString()),
        dir.resolve("measure-server.log"));
  }

  private static void cli(TestbedDriver driver, String node, List<String> args, Path log) {
    int code = driver.runCli(node, args, log, Duration.ofMinutes(10));
    if (code != 0) {
      throw new IllegalStateException("`pipeline " + String.join(" ", args) + "` on the " + node + " exited with "
          + code + "; see " + log);
    }
  }

  /** The cut plan for one link: edge capped, the server the host's cores, both nodes on one host. */
  static CutPlanner.CutPlan plan(Profile profile, String link, Settings s) {
    Profile atLink = ProfileBuilder.copyOf(profile).addLink(LinkClass.EDGE_SERVER, BitRate.parse(link), 0).build();
    return new CutPlanner(PlannerOptions.defaults().withCores(s.edgeCpu(), s.hostCores()).withHostCores(s.hostCores()))
        .plan(atLink);
  }

  static List<Integer> cuts(String which, ModelGraph g, Map<String, CutPlanner.CutPlan> plans) {
    int layers = g.steps().size();
    TreeSet<Integer> cuts = new TreeSet<>();
    List<Integer> single = new ArrayList<>();
    for (int c = 0; c <= layers; c++) {
      if (g.crossing(c).size() == 1) {
        single.add(c);
      }
    }
    switch (which) {
      case "all" -> {
        for (int c = 0; c <= layers; c++) {
          cuts.add(c);
        }
      }
      case "single" -> {
        cuts.addAll(single);
        cuts.add(0);
        cuts.add(layers);
      }
      case "auto" -> {
        cuts.add(0);
        cuts.add(layers);
        for (CutPlanner.CutPlan p : plans.values()) {
          cuts.add(p.fewestBytes().cut());
          cuts.add(p.singles().stream().sorted((a, b) -> plansOrder(p).compare(a, b)).findFirst().orElseThrow().cut());
        }
        for (int third : new int[] {layers / 3, 2 * layers / 3}) {
          single.stream().min((a, b) -> Integer.compare(Math.abs(a - third), Math.abs(b - third))).ifPresent(cuts::add);
        }
      }
      default -> {
        for (String c : which.split(",")) {
          int cut = Integer.parseInt(c.trim());
          if (cut < 0 || cut > layers) {
            throw new IllegalArgumentException("--cuts: " + cut + " is not a cut of 0.." + layers);
          }
          cuts.add(cut);
        }
      }
    }
    return new ArrayList<>(cuts);
  }

  /** Single cuts in the plan's own order (its ranking, second cuts aside). */
  private static java.util.Comparator<CutPlanner.CutPrediction> plansOrder(CutPlanner.CutPlan p) {
    List<CutPlanner.CutPrediction> ranked = p.ranked().stream().filter(c -> c.secondCut() < 0).toList();
    return java.util.Comparator.comparingInt(ranked::indexOf);
  }

  static double error(double predicted, double measured) {
    return measured > 0 ? (predicted - measured) / measured * 100 : Double.NaN;
  }

  private static void chart(String model, List<Integer> cuts, Map<String, Map<Integer, Double>> fps, Path png) {
    List<String> categories = cuts.stream().map(String::valueOf).toList();
    Map<String, List<Double>> series = Charts.ordered();
    fps.forEach((link, byCut) -> series.put(link, cuts.stream().map(c -> byCut.getOrDefault(c, Double.NaN)).toList()));
    Charts.png(Charts.categoryLines(model + ": measured fps per cut (testbed)", "cut (layers on the edge)", "fps",
        categories, series, false), png);
  }

  private static String report(String model, int layers, Settings s, List<Integer> cuts,
      Map<String, CutPlanner.CutPlan> plans, Map<String, Map<Integer, Double>> measured, Table rows,
      TestbedDriver driver) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(model).append(": predicted and measured per cut on the testbed\n\n");
    md.append(String.format(Locale.ROOT, "%d layers, cuts run: %s (`--cuts %s`); edge %.2f core, links %s; "
        + "synthetic frames, %d+ frames a run after %.0f s warm-up, latency from a paced phase.%n%n", layers, cuts,
        s.cuts(), s.edgeCpu(), s.links(), s.frames(), s.warmupSeconds()));
    md.append(rows.markdown()).append('\n');
    md.append("![measured fps per cut](").append(model).append("-fps-per-cut.png)\n\n");
    md.append("| link | predicted best (of the cuts run) | its measured fps | measured best | its fps | all-server fps "
        + "| fewest-bytes cut | its fps | predicted best = measured best |\n|---|---|---|---|---|---|---|---|---|\n");
    for (String link : s.links()) {
      CutPlanner.CutPlan plan = plans.get(link);
      Map<Integer, Double> fps = measured.get(link);
      int predicted = cuts.stream().min(java.util.Comparator.comparingInt(c -> plan.ranked().stream()
          .filter(r -> r.secondCut() < 0).toList().indexOf(plan.singles().get(c)))).orElseThrow();
      int best = cuts.stream().max(java.util.Comparator.comparingDouble(fps::get)).orElseThrow();
      int fewest = plan.fewestBytes().cut();
      md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %d | %.1f | %.1f | %d | %s | %s |%n", link, predicted,
          fps.get(predicted), best, fps.get(best), fps.getOrDefault(0, Double.NaN), fewest,
          fps.containsKey(fewest) ? String.format(Locale.ROOT, "%.1f", fps.get(fewest)) : "not run",
          predicted == best ? "yes" : "no (" + String.format(Locale.ROOT, "%.0f%%", 100 * fps.get(predicted) / fps.get(best))
              + " of the best)"));
    }
    md.append("\nTestbed: ").append("edge capped at ").append(s.edgeCpu()).append(" core; ").append(driver.getClass()
        .getSimpleName()).append(".\n");
    return md.toString();
  }
}
