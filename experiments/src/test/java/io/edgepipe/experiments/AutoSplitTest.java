package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.edgepipe.api.Tier;
import io.edgepipe.experiments.models.AutoSplit;
import io.edgepipe.experiments.models.ModelProfiles;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's profile has one stage per layer and one hop per cut; split: auto runs the planner's winner. */
class AutoSplitTest {
  @Test
  void theClassifiersProfileDrivesTheAutomaticSplit(@TempDir Path out) throws Exception {
    Path model = Path.of("..", "data", "models", "ppocr-cls.onnx");
    assumeTrue(Files.exists(model), "needs " + model + ": run scripts/fetch-models.sh");
    Path specFile = out.resolve("ppocr-cls.yaml");
    Files.writeString(specFile, Files.readString(Path.of("..", "pipelines", "ppocr-cls.yaml"))
        .replace("data/models/ppocr-cls.onnx", model.toAbsolutePath().toString()).replace("split: cuts", "split: auto"));
    ModelSpec spec = ModelSpec.load(specFile);
    ModelGraph g = spec.graph();

    // a slow edge (x4) and a 10 Mbit link
    ModelProfiles.Measured m = ModelProfiles.measure(spec, g, new ModelProfiles.Settings("cpu", 1, 3,
        List.of(Tier.EDGE, Tier.SERVER), 4, 10e6, 0.5, null), null);
    Profile p = m.profile();
    assertEquals(g.steps().size() + 1, p.stages().size());
    assertEquals(g.steps().size() + 1, p.hops().size());
    assertEquals(3L * 48 * 192, p.hops().get(0).bytes(), "cut 0 carries the u8 picture");
    assertEquals(g.crossingBytes(30), p.hops().get(30).bytes());
    double edge = p.compute().stream().filter(c -> c.stage().equals(p.stages().get(1)) && c.tier() == Tier.EDGE)
        .findFirst().orElseThrow().medianMs();
    double server = p.compute().stream().filter(c -> c.stage().equals(p.stages().get(1)) && c.tier() == Tier.SERVER)
        .findFirst().orElseThrow().medianMs();
    assertEquals(4 * server, edge, 1e-9);
    p.write(out.resolve("profiles").resolve("ppocr-cls.json"));

    AutoSplit.Resolved r = AutoSplit.resolve(specFile, out, "cpu");
    CutPlanner.CutPlan plan = new CutPlanner(PlannerOptions.defaults()
        .withCores(null, null, Runtime.getRuntime().availableProcessors())).plan(p);
    assertTrue(r.choice().startsWith("split: auto -> " + plan.winner().label() + ","), r.choice());
    assertTrue(r.choice().contains("profile " + out.resolve("profiles").resolve("ppocr-cls.json")), r.choice());
    ModelSpec resolved = ModelSpec.load(r.file());
    assertEquals(false, resolved.autoSplit());
    assertEquals(0, resolved.services().get(0).from());
    assertEquals(g.steps().size(), resolved.services().get(resolved.services().size() - 1).to());
    int cut = plan.winner().cut();
    if (cut > 0 && cut < g.steps().size()) {
      assertTrue(resolved.services().stream().anyMatch(s -> s.to() == cut), resolved.services().toString());
    }
  }
}
