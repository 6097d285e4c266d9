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
        + "and the predicted best against the naive rules (all-server, fewest bytes). Needs root (namespaces, tc, cgroups)."})
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
      + "all, or a list such as 0,4,40 (default: ${DEFAULT-VALUE}).")
  String cuts;

  @Option(names = "--frames", defaultValue = "30", description = "Least frames of each throughput phase (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--warmup-seconds", defaultValue = "15", description = "Warm-up of each run's fresh JVMs (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--prefix", defaultValue = "edgepipe-mc", description = "Testbed name prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Mixin
  OutputFolder out;

  @Override
  public Integer call() {
    Path dir = out.root().resolve(LocalDate.now() + "-model-cuts");
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
      Path report = ModelCutExperiment.run(new ModelCutExperiment.Settings(spec, links, edgeCpu, cuts, frames,
          warmupSeconds, 8, 8, Runtime.getRuntime().availableProcessors(), dir, io.edgepipe.cli.Main.class.getName()),
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
