package io.edgepipe.experiments.models;

import io.edgepipe.api.Tier;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.Profile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code split: auto}: the cut the planner picks for a model spec, from its profile
 * ({@code <out>/profiles/<name>.json} when it was measured for this model; otherwise measured now
 * on this machine, both tiers alike, a 1 Gbit link, and saved there), planned with this machine's
 * cores on each tier. The resolved spec ({@code split: cuts}) is written beside the run's results,
 * so every service of the run (stage processes too) reads the same split.
 */
public final class AutoSplit {
  private AutoSplit() {}

  /**
   * @param file      the resolved spec
   * @param choice    what was chosen and why, for the user
   * @param placement its services' tiers, producer first ({@code E} up to the cut, {@code S} after)
   */
  public record Resolved(Path file, String choice, String placement) {}

  /**
   * Where the split runs, when not on this machine alone: the edge's CPU cores and the
   * edge-server link (the testbed's), which the plan uses instead of this machine's cores and the
   * profile's link.
   */
  public record Conditions(double edgeCores, double linkBitsPerSec, double linkDelayMs) {}

  public static Resolved resolve(Path specFile, Path outRoot, String device) {
    return resolve(specFile, outRoot, device, null);
  }

  /** As {@link #resolve(Path, Path, String)}, planned for {@code on} (null: this machine). */
  public static Resolved resolve(Path specFile, Path outRoot, String device, Conditions on) {
    ModelSpec spec = ModelSpec.load(specFile);
    ModelGraph g = spec.graph();
    Path profileFile = outRoot.resolve("profiles").resolve(spec.name() + ".json");
    Profile profile = null;
    String source;
    if (Files.exists(profileFile) && matches(profileFile, spec, g)) {
      profile = Profile.read(profileFile);
      source = "profile " + profileFile;
    } else {
      ModelProfiles.Settings quick = new ModelProfiles.Settings(device, 3, 10, List.of(Tier.EDGE, Tier.SERVER), 1,
          1e9, 0.5, null);
      profile = ModelProfiles.measure(spec, g, quick, null).profile();
      profile.write(profileFile);
      source = "profile measured now on this machine (both tiers alike, 1 Gbit link), saved as " + profileFile
          + "; measure the real tiers with pipeline measure --spec " + specFile;
    }
    if (on != null) {
      profile = io.edgepipe.planner.profile.ProfileBuilder.copyOf(profile)
          .addLink(io.edgepipe.planner.profile.LinkClass.EDGE_SERVER, on.linkBitsPerSec(), on.linkDelayMs()).build();
    }
    CutPlanner.CutPlan plan = new CutPlanner(PlannerOptions.defaults()
        .withCores(on == null ? null : on.edgeCores(), null, Runtime.getRuntime().availableProcessors())).plan(profile);
    CutPlanner.CutPrediction w = plan.winner();
    List<Integer> cuts = new ArrayList<>();
    for (int c : new int[] {w.cut(), w.secondCut()}) {
      if (c > 0 && c < plan.layers()) {
        cuts.add(c);
      }
    }
    ModelSpec resolved = new ModelSpec(spec.name(), spec.modelFile(), spec.inputName(), spec.inputShape(), spec.input(),
        spec.postprocess(), false, ModelSpec.servicesFor(spec.name(), g, cuts));
    Path out = outRoot.resolve("run").resolve(spec.name() + "-auto.yaml");
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, "# split: auto in " + specFile + ", resolved by the planner (" + w.label() + ")\n"
          + resolved.toYaml());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
    StringBuilder placement = new StringBuilder("E"); // the producer, with the camera
    resolved.services().forEach(s -> placement.append(s.to() <= w.cut() ? 'E' : 'S'));
    return new Resolved(out, "split: auto -> " + w.label() + ", services " + resolved.services().stream()
        .map(ModelSpec.Service::name).toList() + ", placement " + placement + " (" + source + ")\n" + plan.explanation(),
        placement.toString());
  }

  private static boolean matches(Path file, ModelSpec spec, ModelGraph g) {
    try {
      return ModelProfiles.matches(Profile.read(file), spec, g);
    } catch (RuntimeException e) {
      return false; // unreadable: measure again
    }
  }
}
