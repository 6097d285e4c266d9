package io.edgepipe.cli.model;

import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.experiments.ModelCutExperiment;
import io.edgepipe.experiments.TestbedDrivers;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline bench model-cuts --spec pipelines/NAME.yaml}: each cut predicted and measured on the testbed (root). */
@Command(name = "model-cuts", mixinStandardHelpOptions = true,
    description = {"Profiles a model on the testbed's edge (CPU-capped) and server, then runs each chosen cut at each "
        + "link rate: predicted vs measured fps and latency, the error per cut, a chart of measured fps per cut, "
        + "and the predicted best against the naive rules (all-server, fewest bytes). Needs root (namespaces, tc, cgroups).",
        "With --report-only it measures nothing (no testbed): it recomputes every cut's prediction in --name's folder "
        + "from the profile saved there with the current model and rewrites the CSV's predicted columns, the report and "
        + "its charts; the measured columns stay as they are."})
public final class ModelCutsCommand implements Callable<Integer> {
  @Option(names = "--spec", required = true, description = "A model spec (pipeline model import).")
  Path spec;

  @Option(names = "--links", defaultValue = "1gbit,100mbit,10mbit", split = ",",
      description = "Link rates, each direction (default: ${DEFAULT-VALUE}).")
  List<String> links;

  @Option(names = "--edge-cpu", defaultValue = "0.5", description = "Edge CPU cap in cores (default: ${DEFAULT-VALUE}).")
  double edgeCpu;

  @Option(names = "--cuts", defaultValue = "auto", description = "auto (both ends, the fewest-bytes cut, each link's "
      + "predicted best, two single-tensor cuts at a third and two thirds), single (every cut one tensor crosses), "
      + "all, a list such as 0,4,40 (run in that order, a repeated cut again: its CSV rows in order, the report the last), or none (the profile and its link hops only, no sweep) (default: ${DEFAULT-VALUE}).")
  String cuts;

  @Option(names = "--frames", defaultValue = "5", description = "Least frames of each throughput window (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--window-seconds", defaultValue = "2", description = "Longest throughput window; it ends earlier "
      + "once its two halves agree within 10%% (default: ${DEFAULT-VALUE}).")
  double windowSeconds;

  @Option(names = "--paced-frames", defaultValue = "3", description = "Least frames of each paced latency window "
      + "(default: ${DEFAULT-VALUE}).")
  int pacedFrames;

  @Option(names = "--warmup-seconds", defaultValue = "0.5", description = "Frames through each cut's partitions before "
      + "it is measured; the JVMs stay warm across cuts (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--name", description = "Folder under --out (default: <date>-model-cuts); a profile found there is reused.")
  String name;

  @Option(names = "--report-only", description = "Measure nothing: recompute the predictions of the sweep in --name's "
      + "folder from its saved NAME-profile.json (the model as it is now), rewrite NAME-cuts.csv's predicted columns "
      + "(the first predictions kept in first_pred_* columns; measured columns untouched), NAME-report.md and the charts.")
  boolean reportOnly;

  @Option(names = "--prefix", defaultValue = "edgepipe-mc", description = "Testbed name prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    if (frames < 1 || pacedFrames < 1 || !(windowSeconds >= 0.5) || warmupSeconds < 0) {
      throw new IllegalArgumentException("--frames and --paced-frames must be >= 1, --window-seconds >= 0.5, "
          + "--warmup-seconds >= 0");
    }
    Path dir = out.root().resolve(name != null ? name : LocalDate.now() + "-model-cuts");
    if (reportOnly) {
      String model = io.edgepipe.models.spec.ModelSpec.load(spec).name();
      Path report = io.edgepipe.experiments.ModelCutRecompute.run(dir, model, edgeCpu,
          Runtime.getRuntime().availableProcessors(), System.out);
      System.out.println("report: " + report);
      return 0;
    }
    TestbedDrivers.Availability tb = TestbedDrivers.find(true, dir.resolve("logs"), io.edgepipe.cli.Main.class.getName(),
        prefix);
    if (!tb.available()) {
      throw new IllegalArgumentException("model-cuts needs the testbed: " + tb.reason());
    }
    try (var driver = tb.driver()) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> { // Ctrl-C leaves nothing up
        try {
          driver.down();
        } catch (RuntimeException e) {
          System.err.println("model-cuts: " + e.getMessage());
        }
      }, "model-cuts-down"));
      var d = ModelCutExperiment.Settings.defaultWindow();
      var window = new io.edgepipe.harness.testbed.PartitionSweep.Rule(d.settleSeconds(), frames,
          Math.min(d.minSeconds(), windowSeconds), windowSeconds, d.stablePct());
      Path report = ModelCutExperiment.run(new ModelCutExperiment.Settings(spec, links, edgeCpu, cuts, warmupSeconds,
          window, pacedFrames, Runtime.getRuntime().availableProcessors(), dir, io.edgepipe.cli.Main.class.getName()),
          driver, System.out);
      System.out.println("report: " + report);
    } catch (Exception e) {
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    }
    return 0;
  }
}
