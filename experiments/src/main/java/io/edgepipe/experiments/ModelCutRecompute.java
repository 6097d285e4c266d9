package io.edgepipe.experiments;

import static io.edgepipe.experiments.Csv.num;
import static io.edgepipe.experiments.Csv.str;

import io.edgepipe.experiments.ModelCutExperiment.CutColumn;
import io.edgepipe.harness.report.Table;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.profile.Profile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model-cuts folder's report rebuilt without measuring: every cut's prediction recomputed from
 * the folder's saved profile ({@code NAME-profile.json}) with the planner as it is now, written
 * into the CSV's predicted columns (and the errors), the measured columns kept as they are, then
 * the report and its charts rewritten. The predictions written when the cuts were measured are
 * kept, once, in {@link RevisedColumn}s, so the report can say how the revised model compares.
 */
public final class ModelCutRecompute {
  /** The predictions as first written beside the measurements (added by the first recompute, then kept). */
  public enum RevisedColumn implements CsvColumn {
    FIRST_PRED_RANK(CutColumn.PRED_RANK), FIRST_PRED_FPS(CutColumn.PRED_FPS),
    FIRST_PRED_LATENCY_MS(CutColumn.PRED_LATENCY_MS), FIRST_PRED_EDGE_CPU_MS(CutColumn.PRED_EDGE_CPU_MS);

    /** The predicted column whose first value this keeps. */
    final CutColumn of;

    RevisedColumn(CutColumn of) {
      this.of = of;
    }
  }

  /** Starts the sentence the report's method gets; an older one is replaced, not repeated. */
  static final String NOTE = " Predictions recomputed";

  private ModelCutRecompute() {}

  /**
   * @param edgeCpu   the edge's cores in the prediction (as the sweep had them)
   * @param hostCores the host's cores in the prediction (both nodes on one host)
   * @return the report's path
   */
  public static Path run(Path dir, String model, double edgeCpu, int hostCores, PrintStream log) {
    Path csvFile = dir.resolve(model + "-cuts.csv");
    Path profileFile = dir.resolve(model + "-profile.json");
    for (Path f : List.of(csvFile, profileFile)) {
      if (!Files.exists(f)) {
        throw new IllegalArgumentException("no " + f + ": --report-only rebuilds a folder a model-cuts sweep wrote");
      }
    }
    Csv csv = Csv.read(csvFile);
    Profile profile = Profile.read(profileFile);
    int layers = profile.stages().size() - 1;
    boolean revisedBefore = csv.header().contains(RevisedColumn.FIRST_PRED_FPS.header());
    Map<String, CutPlanner.CutPlan> plans = new LinkedHashMap<>();
    for (String link : csv.distinct(CutColumn.LINK)) {
      plans.put(link, ModelCutExperiment.plan(profile, link, edgeCpu, hostCores));
    }
    List<String> header = new ArrayList<>();
    for (CsvColumn c : CutColumn.values()) {
      header.add(c.header());
    }
    for (CsvColumn c : RevisedColumn.values()) {
      header.add(c.header());
    }
    Table out = new Table(header.toArray(String[]::new));
    for (Map<String, String> r : csv.rows()) {
      int cut = (int) num(r, CutColumn.CUT);
      if (cut < 0 || cut > layers) {
        throw new IllegalArgumentException(csvFile + ": cut " + cut + " is not a cut of the profile's " + layers
            + " layers");
      }
      CutPlanner.CutPlan plan = plans.get(str(r, CutColumn.LINK));
      List<Object> cells = new ArrayList<>();
      for (CutColumn c : CutColumn.values()) {
        cells.add(predicted(c, r, plan, cut, layers));
      }
      for (RevisedColumn c : RevisedColumn.values()) {
        cells.add(kept(r, revisedBefore ? c : c.of));
      }
      out.row(cells.toArray());
    }
    out.writeCsv(csvFile);
    String method = method(dir.resolve(model + "-report.md")) + NOTE + " from the saved profile with the model as "
        + "revised after these measurements were taken (`bench model-cuts --report-only`); the measured columns are "
        + "as measured, the predictions first written beside them are the CSV's first_pred_* columns";
    log.println("recomputed " + out.rows().size() + " rows' predictions from " + profileFile);
    return ModelCutReport.write(dir, model, method);
  }

  /** A cell of the rewritten row: the new prediction (and its errors) in the predicted columns, else as written. */
  private static Object predicted(CutColumn c, Map<String, String> r, CutPlanner.CutPlan plan, int cut, int layers) {
    CutPlanner.CutPrediction p = plan.singles().get(cut);
    return switch (c) {
      case BYTES_UP -> p.bytesUp();
      case RULE -> ModelCutExperiment.rules(plan, cut, layers);
      case PRED_RANK -> ModelCutExperiment.rank(plan, cut);
      case PRED_FPS -> p.fps();
      case FPS_ERROR_PCT -> ModelCutExperiment.error(p.fps(), num(r, CutColumn.MEAS_FPS));
      case PRED_LATENCY_MS -> p.latencyMs();
      case LATENCY_ERROR_PCT -> ModelCutExperiment.error(p.latencyMs(), num(r, CutColumn.MEAS_P50_MS));
      case PRED_EDGE_CPU_MS -> p.edgeCpuMs();
      default -> kept(r, c);
    };
  }

  /** A cell as written ("-" where an older sweep had no such column). */
  private static String kept(Map<String, String> r, CsvColumn c) {
    String v = str(r, c);
    return v.isEmpty() ? "-" : v;
  }

  /** The method paragraph of the report there was, without an earlier recompute's note. */
  private static String method(Path report) {
    String fallback = "the measurements in the CSV.";
    if (!Files.exists(report)) {
      return fallback;
    }
    try {
      for (String line : Files.readAllLines(report)) {
        if (line.startsWith("Method: ")) {
          String m = line.substring("Method: ".length());
          int note = m.indexOf(NOTE);
          m = note >= 0 ? m.substring(0, note) : m;
          return m.endsWith(".") ? m : m + ".";
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fallback;
  }
}
