package io.edgepipe.cli.measure;

import io.edgepipe.api.Tier;
import io.edgepipe.experiments.models.ModelProfiles;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.profile.Profile;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code pipeline measure --spec MODEL.yaml}: each layer's compute per tier, and each cut's bytes and transfer. */
final class ModelMeasure {
  private ModelMeasure() {}

  static int run(Path specFile, String device, List<Tier> tiers, double edgeSlowdown, String link, int warmup,
      int frames, Path merge, Path picture, Path profileFile) {
    ModelSpec spec = ModelSpec.load(specFile);
    ModelGraph g = spec.graph();
    String[] parts = link.split(",");
    ModelProfiles.Settings s = new ModelProfiles.Settings(device, warmup, frames, tiers, edgeSlowdown,
        BitRate.parse(parts[0]), parts.length > 1 ? Double.parseDouble(parts[1]) : 0, picture, true);
    ModelProfiles.Measured m = ModelProfiles.measure(spec, g, s, merge == null ? null : Profile.read(merge));
    m.profile().write(profileFile);
    m.table().print(System.out);
    System.out.printf(Locale.ROOT, "%n%s: %d layers on %s for tier(s) %s%s; the whole model timed first, alone, after %d warm-up "
            + "rounds (until the JIT settled), then the layers; the layers alone sum to %.2f ms per frame "
            + "(median of each), the whole model as one partition, back to back, takes %.2f ms (median; %.2f ms at its 10th "
            + "percentile, kept in the profile) and %.2f ms of CPU per frame (all threads: "
            + "%.2f x its wall time; the threads running the model alone: %.2f ms); where the median is less, the profile scales the "
            + "layers down to sum to it (layer_ms below is before scaling)%n",
        spec.name(), g.steps().size(), device, tiers,
        tiers.size() == 2 && edgeSlowdown != 1 ? " (edge = measured x " + edgeSlowdown + ")" : "",
        m.layers().warmupRounds(), m.layers().sumMedianMs(), m.layers().wholeMedianMs(), m.layers().wholeP10Ms(),
        m.layers().wholeCpuMs(), m.layers().wholeCpuMs() / m.layers().wholeMedianMs(),
        m.layers().wholeModelThreadsCpuMs());
    if (!m.layers().settling().isEmpty()) {
      StringBuilder blocks = new StringBuilder();
      for (var b : m.layers().settling()) {
        blocks.append(String.format(Locale.ROOT, " %.2f (JIT %d ms)", b.wholeMedianMs(), b.compileMs()));
      }
      System.out.println("warm-up until settled, the whole model's median ms per block of rounds:" + blocks);
    }
    System.out.println("cut k runs layers 0..k-1 on the edge; in-node hops over loopback gRPC; edge-server from --link "
        + link + " (bandwidth + latency model)");
    System.out.println("wrote " + profileFile);
    return 0;
  }
}
