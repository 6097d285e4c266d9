package io.edgepipe.planner.predict;

import java.util.ArrayList;
import java.util.List;

/** What fusing each adjacent same-tier pair of a placement would gain. */
public final class FusionAnalysis {
  private FusionAnalysis() {}

  public static List<FusionOption> analyze(ChainPredictor predictor, Prediction base, Objective objective) {
    List<ServiceUnit> plain = ServiceUnit.plain(base.placement());
    List<FusionOption> options = new ArrayList<>();
    for (int i = 0; i + 1 < plain.size(); i++) {
      if (plain.get(i).tier() != plain.get(i + 1).tier()) {
        continue;
      }
      List<ServiceUnit> units = new ArrayList<>(plain);
      ServiceUnit pair = new ServiceUnit(i, i + 1, plain.get(i).tier(), 1);
      units.remove(i + 1);
      units.set(i, pair);
      Prediction fused = predictor.predict(base.placement(), units);
      options.add(new FusionOption(pair.name(predictor.costs().chain()), pair.tier(), base, fused,
          PlacementRanking.improves(objective, fused, base)));
    }
    return options;
  }
}
