package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.api.Tier;
import io.edgepipe.experiments.models.ModelProfiles;
import io.edgepipe.harness.testbed.PartitionSweep;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which cuts the testbed experiment runs, and its error sign, on the classifier's real graph. */
class ModelCutSelectionTest {
  @Test
  void autoRunsBothEndsTheNaiveCutAndEachLinksPredictedBest() {
    Path model = Path.of("..", "data", "models", "ppocr-cls.onnx");
    assumeTrue(Files.exists(model), "needs " + model + ": run scripts/fetch-models.sh");
    ModelGraph g = OnnxImporter.load(model, Map.of("x", new int[] {1, 3, 48, 192}));
    int layers = g.steps().size();
    List<String> stages = ModelProfiles.stages(g);
    FrameSize size = FrameSize.of(192, 48);
    ProfileBuilder b = new ProfileBuilder("ppocr-cls", stages);
    for (int i = 1; i <= layers; i++) {
      b.addCompute(stages.get(i), Tier.EDGE, size, 1.0, 1.0);
      b.addCompute(stages.get(i), Tier.SERVER, size, 0.1, 0.1);
      b.addHop(stages.get(i - 1) + "->" + stages.get(i), size, i == 1 ? 3 * 48 * 192 : g.crossingBytes(i - 1));
    }
    b.addHop(stages.get(layers) + "->sink", size, g.crossingBytes(layers));
    b.addLink(LinkClass.EDGE_SERVER, 1e9, 0);
    Profile profile = b.build();
    ModelCutExperiment.Settings s = new ModelCutExperiment.Settings(model, List.of("1gbit", "10mbit"), 0.5, "auto", 1,
        ModelCutExperiment.Settings.defaultWindow(), 4, 2, Path.of("unused"), "unused");
    Map<String, CutPlanner.CutPlan> plans = new LinkedHashMap<>();
    for (String link : s.links()) {
      plans.put(link, ModelCutExperiment.plan(profile, link, s));
    }
    List<Integer> auto = ModelCutExperiment.cuts("auto", g, plans);
    assertTrue(auto.contains(0) && auto.contains(layers), auto.toString());
    for (CutPlanner.CutPlan p : plans.values()) {
      assertTrue(auto.contains(p.fewestBytes().cut()), auto.toString());
    }
    // each link's predicted best single cut is run (a 0.5-core edge at 1 ms a layer balances the 2-core server
    // at 0.1 ms a layer somewhere inside the model at 1 Gbit; at 10 Mbit the bytes decide)
    for (CutPlanner.CutPlan p : plans.values()) {
      int best = p.ranked().stream().filter(c -> c.secondCut() < 0).findFirst().orElseThrow().cut();
      assertTrue(auto.contains(best), best + " not in " + auto);
    }
    assertTrue(plans.get("1gbit").winner().cut() > 0, "the slow edge still takes a share at 1 Gbit");
    List<Integer> single = ModelCutExperiment.cuts("single", g, plans);
    for (int c : single) {
      assertTrue(c == 0 || c == layers || g.crossing(c).size() == 1, "cut " + c + " crosses " + g.crossing(c));
    }
    assertTrue(single.size() > auto.size(), single + " vs " + auto);
    assertEquals(List.of(5, 0, 5), ModelCutExperiment.cuts("5,0,5", g, plans)); // as given: back to back, repeats kept
    assertEquals(List.of(), ModelCutExperiment.cuts("none", g, plans));
    assertEquals(layers + 1, ModelCutExperiment.cuts("all", g, plans).size());
    assertThrows(IllegalArgumentException.class, () -> ModelCutExperiment.cuts(String.valueOf(layers + 1), g, plans));
    assertEquals(50.0, ModelCutExperiment.error(15, 10), 1e-12); // predicted 15 fps, measured 10: +50%
  }

  @Test
  void theWarmUpCoversAHopOverTheLinkAndEndsAtTheFirstCutToRun() {
    // a full sweep starts at cut 0: all-edge, then the first cut with layers on both nodes, then all-server
    assertEquals(List.of(93, 1, 0), ModelCutExperiment.warmupCuts(List.of(0, 1, 2, 3, 93), 93));
    // back-to-back repeats of middle cuts: the first one is warmed last
    assertEquals(List.of(93, 0, 3), ModelCutExperiment.warmupCuts(List.of(3, 33, 3, 33), 93));
    assertEquals(List.of(0, 33, 93), ModelCutExperiment.warmupCuts(List.of(93, 33, 0), 93));
    // no cut with layers on both nodes: no hop over the link to warm
    assertEquals(List.of(93, 0), ModelCutExperiment.warmupCuts(List.of(0, 93), 93));
    assertEquals(List.of(0, 93), ModelCutExperiment.warmupCuts(List.of(93, 0), 93));
  }

  @Test
  void theWarmUpHasSettledOnlyWhenTheEdgesCpuPerFrameHoldsAsWellAsTheRate() {
    PartitionSweep.Window compiling = window(120, 7.5);
    PartitionSweep.Window warm = window(118, 4.2);
    // the rate held within 10% while the JIT still ran on the edge's quota: not settled
    assertFalse(ModelCutExperiment.settled(compiling, warm));
    assertTrue(ModelCutExperiment.settled(warm, window(125, 4.0)));
    assertFalse(ModelCutExperiment.settled(warm, window(90, 4.1))); // the rate moved
    assertFalse(ModelCutExperiment.settled(warm, window(120, Double.NaN))); // no frames, no CPU figure
  }

  private static PartitionSweep.Window window(double fps, double edgeCpuMs) {
    return new PartitionSweep.Window(fps, (long) fps * 3, 3, 10, 0, edgeCpuMs, 2);
  }
}
