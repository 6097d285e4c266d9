package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Tier;
import io.edgepipe.experiments.GridExperiment.InputColumn;
import io.edgepipe.experiments.GridExperiment.PointColumn;
import io.edgepipe.harness.report.Spread;
import io.edgepipe.harness.report.Table;
import io.edgepipe.planner.profile.FrameSize;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recomputes a kept grid run's predictions, both models, from what the run saved
 * ({@link GridExperiment#INPUTS_CSV}: profile, calibration visits, host) beside its measured
 * columns ({@link GridExperiment#POINTS_CSV}), without the testbed; writes the points and the
 * best-placement table under {@code DIR/replay/} and prints the counts against the aims. A change
 * of the model is then checked against every kept measurement in seconds.
 */
public final class GridReplay {
  static final String OUT_DIR = "replay";

  private GridReplay() {}

  /** Replays {@code dir}; returns the folder the replayed CSVs went to. */
  public static Path replay(Path dir, PrintStream out) {
    Path inputsFile = dir.resolve(GridExperiment.INPUTS_CSV);
    Path pointsFile = dir.resolve(GridExperiment.POINTS_CSV);
    if (!Files.isRegularFile(inputsFile) || !Files.isRegularFile(pointsFile)) {
      throw new IllegalArgumentException(dir + ": a grid run with " + GridExperiment.INPUTS_CSV + " and "
          + GridExperiment.POINTS_CSV + " expected");
    }
    Map<String, String> meta = Csv.readIfPresent(dir.resolve("meta.csv")).map(Csv::asMap).orElse(Map.of());
    PipelineSpec spec = PipelineSpec.load(Path.of(meta.getOrDefault("spec", "pipelines/thesis.yaml").split(" ")[0]));
    Csv inputs = Csv.read(inputsFile);
    Csv points = Csv.read(pointsFile);
    Table replayed = CsvColumn.table(PointColumn.values());
    Table best = CsvColumn.table(GridExperiment.BestColumn.values());
    for (String side : inputs.distinct(InputColumn.SIDE)) {
      GridModel.Inputs in = inputs(spec, Integer.parseInt(side), inputs.where(r -> str(r, InputColumn.SIDE).equals(side)));
      Map<String, Map<String, Spread[]>> scenarios = new LinkedHashMap<>();
      for (Map<String, String> r : points.where(r -> str(r, PointColumn.SIDE).equals(side))) {
        scenarios.computeIfAbsent(str(r, PointColumn.EDGE_CPU) + "|" + str(r, PointColumn.LINK),
            k -> new LinkedHashMap<>()).put(str(r, PointColumn.PLACEMENT), new Spread[] {
                new Spread(num(r, PointColumn.FPS_MIN), num(r, PointColumn.FPS), num(r, PointColumn.FPS_MAX)),
                new Spread(num(r, PointColumn.LAT_MIN), num(r, PointColumn.LAT_P50_MS), num(r, PointColumn.LAT_MAX)),
                new Spread(num(r, PointColumn.REPEATS), num(r, PointColumn.REPEATS), num(r, PointColumn.REPEATS))});
      }
      for (Map.Entry<String, Map<String, Spread[]>> e : scenarios.entrySet()) {
        String[] k = e.getKey().split("\\|");
        GridExperiment.scenario(replayed, best, in, Double.parseDouble(k[0]), k[1], e.getValue());
      }
    }
    Path to = dir.resolve(OUT_DIR);
    try {
      Files.createDirectories(to);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    replayed.writeCsv(to.resolve(GridExperiment.POINTS_CSV));
    best.writeCsv(to.resolve(GridExperiment.BEST_CSV));
    out.println(counts(Csv.read(to.resolve(GridExperiment.POINTS_CSV)), Csv.read(to.resolve(GridExperiment.BEST_CSV))));
    out.println(GridSection.Predicted.sameCondition(points).strip());
    out.println(GridSection.Predicted.repeatNoise(points).strip());
    return to;
  }

  /** One line per model: fps, latency and best-placement counts against the aims. */
  static String counts(Csv points, Csv best) {
    StringBuilder sb = new StringBuilder();
    for (boolean old : new boolean[] {true, false}) {
      int[] fps = GridSection.Predicted.within(points, old ? PointColumn.OLD_FPS_ERR_PCT : PointColumn.FPS_ERR_PCT,
          GridSection.FPS_AIM_PCT);
      int[] lat = GridSection.Predicted.within(points, old ? PointColumn.OLD_LAT_ERR_PCT : PointColumn.LAT_ERR_PCT,
          GridSection.LAT_AIM_PCT);
      long ok = best.rows().stream().filter(r -> Csv.yes(str(r, old ? GridExperiment.BestColumn.OLD_PLANNER_OK
          : GridExperiment.BestColumn.PLANNER_OK))).count();
      sb.append(String.format(Locale.ROOT, "%s model: fps within %.0f%% in %d of %d (aim 90%%), latency within %.0f%% "
          + "in %d of %d (aim 80%%), best placement %d of %d (aim 90%%); median |error| fps %.1f%%, latency %.1f%%%n",
          old ? "old" : "new", GridSection.FPS_AIM_PCT, fps[0], fps[1], GridSection.LAT_AIM_PCT, lat[0], lat[1], ok,
          best.rows().size(), GridSection.Predicted.medianAbs(points, old ? PointColumn.OLD_FPS_ERR_PCT
              : PointColumn.FPS_ERR_PCT), GridSection.Predicted.medianAbs(points, old ? PointColumn.OLD_LAT_ERR_PCT
              : PointColumn.LAT_ERR_PCT)));
    }
    return sb.toString().strip();
  }

  /** One frame size's inputs as the run saved them ({@link GridExperiment#inputRows}). */
  static GridModel.Inputs inputs(PipelineSpec spec, int side, List<Map<String, String>> rows) {
    List<ProfileMeasurer.Compute> compute = new ArrayList<>();
    List<ProfileMeasurer.Compute> source = new ArrayList<>();
    List<ProfileMeasurer.Hop> hops = new ArrayList<>();
    List<GridModel.Visit> visits = new ArrayList<>();
    int host = 0;
    FrameSize size = FrameSize.of(side, side);
    for (Map<String, String> r : rows) {
      String name = str(r, InputColumn.NAME);
      switch (str(r, InputColumn.KIND)) {
        case "compute", "source" -> {
          ProfileMeasurer.Compute c = new ProfileMeasurer.Compute(name, Tier.parse(str(r, InputColumn.TIER)), size,
              num(r, InputColumn.A), num(r, InputColumn.B));
          (str(r, InputColumn.KIND).equals("compute") ? compute : source).add(c);
        }
        case "hop" -> hops.add(new ProfileMeasurer.Hop(name, size, (long) num(r, InputColumn.BYTES),
            num(r, InputColumn.A), num(r, InputColumn.B)));
        case "visit" -> visits.add(new GridModel.Visit(name, num(r, InputColumn.A), num(r, InputColumn.B),
            num(r, InputColumn.C), num(r, InputColumn.D)));
        case "host" -> host = (int) num(r, InputColumn.A);
        default -> throw new IllegalArgumentException("unknown input kind '" + str(r, InputColumn.KIND) + "' in "
            + GridExperiment.INPUTS_CSV);
      }
    }
    ProfileMeasurer.Measured m = new ProfileMeasurer.Measured(spec, List.of(side), compute, hops);
    return new GridModel.Inputs(m, side, source, visits, host > 0 ? host : 2);
  }
}
