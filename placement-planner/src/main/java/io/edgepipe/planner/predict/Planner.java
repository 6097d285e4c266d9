package io.edgepipe.planner.predict;

import io.edgepipe.api.Placement;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Entry point of planning: predicts every candidate placement from a profile, ranks them for
 * the objective, explains the winner and analyses fusion and replicas of the winner.
 *
 * <pre>
 * PlanReport report = new Planner(PlannerOptions.defaults().withCores(4, 0)).plan(Profile.read(file));
 * System.out.print(PlanTable.render(report));
 * </pre>
 */
public final class Planner {
  private final PlannerOptions options;

  public Planner(PlannerOptions options) {
    this.options = options;
  }

  public PlanReport plan(Profile profile) {
    FrameSize size = frameSize(profile);
    ChainPredictor predictor = new ChainPredictor(new CostModel(profile, size, options.statistic()), options);
    List<Prediction> predictions = new ArrayList<>();
    for (Placement placement : Candidates.of(profile.stages().size(), options.allPlacements())) {
      predictions.add(predictor.predict(placement));
    }
    predictions.sort(PlacementRanking.comparator(options.objective()));
    Prediction winner = predictions.get(0);
    return new PlanReport(profile.pipeline(), profile.stages(), size, options, predictions,
        PlanExplainer.explain(options.objective(), predictions),
        FusionAnalysis.analyze(predictor, winner, options.objective()),
        ReplicaAnalysis.analyze(predictor, winner, options));
  }

  /** Predicts one placement (plain deployment) with the same options; for checks against a run. */
  public Prediction predict(Profile profile, Placement placement) {
    return new ChainPredictor(new CostModel(profile, frameSize(profile), options.statistic()), options)
        .predict(placement);
  }

  /** The requested size, else the largest measured one (the most demanding case). */
  private FrameSize frameSize(Profile profile) {
    if (options.frameSize() != null) {
      return options.frameSize();
    }
    if (profile.frameSizes().isEmpty()) {
      throw new ProfileException("profile of '" + profile.pipeline() + "' has no measurements");
    }
    return Collections.max(profile.frameSizes());
  }
}
