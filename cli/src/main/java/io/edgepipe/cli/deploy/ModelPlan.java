package io.edgepipe.cli.deploy;

import io.edgepipe.experiments.models.ModelProfiles;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.predict.CutTable;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code pipeline plan --spec MODEL.yaml}: the model's cuts ranked from its profile ({@link CutPlanner}). */
final class ModelPlan {
  private ModelPlan() {}

  /**
   * @param link "RATE[,LATENCY_MS]" to plan for instead of the profile's edge-server link, or null
   */
  static int run(PrintWriter out, Path specFile, Path profileFile, PlannerOptions options, String link, Path csv,
      int top) {
    ModelSpec spec = ModelSpec.load(specFile);
    Profile profile = ModelProfiles.read(spec, spec.graph(), profileFile, specFile);
    if (link != null) {
      String[] parts = link.split(",");
      profile = ProfileBuilder.copyOf(profile).addLink(LinkClass.EDGE_SERVER, BitRate.parse(parts[0]),
          parts.length > 1 ? Double.parseDouble(parts[1]) : 0).build();
    }
    CutPlanner.CutPlan plan = new CutPlanner(options).plan(profile);
    out.print(CutTable.render(plan, top));
    out.println("\nto run the winner, the spec's services: " + services(spec.name(), plan));
    if (csv != null) {
      CutTable.write(plan, csv);
      out.println("every cut written to " + csv);
    }
    out.println("manifests for it: put these services in the spec, then pipeline manifests --spec " + specFile
        + " --placement E..S (one letter per service, producer first)");
    out.flush();
    return 0;
  }

  /** The services YAML for the winner's cuts. */
  static String services(String name, CutPlanner.CutPlan plan) {
    List<Integer> cuts = new ArrayList<>();
    CutPlanner.CutPrediction w = plan.winner();
    for (int c : new int[] {w.cut(), w.secondCut()}) {
      if (c > 0 && c < plan.layers()) {
        cuts.add(c);
      }
    }
    cuts.sort(null);
    List<String> s = new ArrayList<>();
    int from = 0;
    cuts.add(plan.layers());
    for (int to : cuts) {
      s.add("{name: " + ModelSpec.serviceName(name, from, to) + ", from: " + from + ", to: " + to + "}");
      from = to;
    }
    return String.join(", ", s) + (w.cut() == 0 ? " (all on the server)" : w.cut() == plan.layers() ? " (all on the edge)" : "");
  }
}
