package io.edgepipe.planner.predict;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.profile.CostModel;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Where to cut a model between the edge and the server, as Neurosurgeon does, with the same
 * prediction model as every placement ({@link ChainPredictor}: compute per tier, link rate, CPU
 * per node). The profile's stages are the producer followed by the model's layers in run order
 * (stage {@code i} is layer {@code i-1}); cut {@code c} (0..L) runs layers {@code [0, c)} as one
 * service on the edge, beside the producer, and layers {@code [c, L)} as one service on the
 * server, whose results go back to the sink on the edge. Cut 0 is all-server, cut L all-edge.
 *
 * <p>Where it pays, a side is cut once more: its service split in two on the same node, so the
 * two overlap in time on a node with more than one core. Such a plan is kept only when it beats
 * the best single cut by {@link #SECOND_CUT_GAIN} on the objective (another service costs a
 * process and a hop's CPU, which the model charges, and the gain must outweigh its error).
 */
public final class CutPlanner {
  /** Smallest relative gain on the objective for which a second cut is proposed. */
  public static final double SECOND_CUT_GAIN = 0.05;

  private final PlannerOptions options;

  public CutPlanner(PlannerOptions options) {
    this.options = options;
  }

  /**
   * One plan: the edge/server cut, and an optional second cut inside one side.
   *
   * @param cut        the edge/server cut (0..layers)
   * @param secondCut  a cut inside the edge or the server side, or -1
   * @param bytesUp    bytes that cross the link per frame towards the server (0 at all-edge)
   * @param bytesDown  result bytes that come back to the sink on the edge (0 at all-edge)
   * @param edgeMs     compute on the edge per frame (all its services), as measured there
   * @param serverMs   compute on the server per frame
   * @param linkMs     time on the edge-server link per frame, up and back
   * @param bottleneck what sets the pace, in the model's words ("link at cut 40", "layers 0-39 compute (E)")
   * @param edgeCpuMs  CPU (ms of one core) the edge's processes spend per frame, producer and sink included
   */
  public record CutPrediction(int cut, int secondCut, Prediction prediction, long bytesUp, long bytesDown,
      double edgeMs, double serverMs, double linkMs, String bottleneck, double edgeCpuMs) {
    public String label() {
      String s = "cut " + cut;
      if (secondCut >= 0) {
        s += " + " + (secondCut < cut ? "edge" : "server") + " cut " + secondCut;
      }
      return s;
    }

    public double fps() {
      return prediction.fps();
    }

    public double latencyMs() {
      return prediction.latencyMs();
    }
  }

  /**
   * @param layers      the model's layers (stages after the producer)
   * @param ranked      every single cut and the second-cut plans that pay, best first
   * @param singles     the single cuts by cut index (0..layers)
   * @param explanation why the winner won, in words
   */
  public record CutPlan(String pipeline, int layers, FrameSize frameSize, PlannerOptions options,
      List<CutPrediction> ranked, List<CutPrediction> singles, String explanation) {
    public CutPrediction winner() {
      return ranked.get(0);
    }

    /** The naive rule "everything on the server": cut 0. */
    public CutPrediction allServer() {
      return singles.get(0);
    }

    /** The naive rule "cut where the fewest bytes cross": the earliest such cut before all-edge. */
    public CutPrediction fewestBytes() {
      return singles.subList(0, layers).stream().min(Comparator.comparingLong(CutPrediction::bytesUp)).orElseThrow();
    }
  }

  public CutPlan plan(Profile profile) {
    FrameSize size = options.frameSize() != null ? options.frameSize()
        : profile.frameSizes().isEmpty() ? null : Collections.max(profile.frameSizes());
    if (size == null) {
      throw new ProfileException("profile of '" + profile.pipeline() + "' has no measurements");
    }
    int layers = profile.stages().size() - 1;
    if (layers < 1) {
      throw new ProfileException("profile of '" + profile.pipeline() + "' has no layers after the producer");
    }
    // fitted hops and per-stage CPU (CutCosts): one cold hop figure or the quota's throttling must not pick the cut
    ChainPredictor predictor = new ChainPredictor(new CostModel(CutCosts.tune(profile, size), size,
        options.statistic()), options);
    Comparator<CutPrediction> order = Comparator.comparing(CutPrediction::prediction,
        PlacementRanking.comparator(options.objective()));
    List<CutPrediction> singles = new ArrayList<>();
    for (int c = 0; c <= layers; c++) {
      singles.add(predict(predictor, c, -1));
    }
    List<CutPrediction> ranked = new ArrayList<>(singles);
    ranked.sort(order);
    CutPrediction best = ranked.get(0);
    CutPrediction second = bestSecondCut(predictor, best, order);
    if (second != null && gain(second, best) >= SECOND_CUT_GAIN) {
      ranked.add(0, second);
    }
    return new CutPlan(profile.pipeline(), layers, size, options, ranked, singles,
        explain(ranked, singles, predictor.costs().chain(), layers));
  }

  /** The best plan that splits one side of {@code base} once more, or null when no side has two layers. */
  private CutPrediction bestSecondCut(ChainPredictor predictor, CutPrediction base, Comparator<CutPrediction> order) {
    int layers = predictor.costs().chain().size() - 1;
    CutPrediction best = null;
    for (int m = 1; m < layers; m++) {
      if (m == base.cut()) {
        continue;
      }
      CutPrediction p = predict(predictor, base.cut(), m);
      if (best == null || order.compare(p, best) < 0) {
        best = p;
      }
    }
    return best;
  }

  /** Relative gain of {@code a} over {@code b} on the objective (positive = better). */
  private double gain(CutPrediction a, CutPrediction b) {
    return options.objective() == Objective.THROUGHPUT ? a.fps() / b.fps() - 1 : 1 - a.latencyMs() / b.latencyMs();
  }

  /** The prediction with the edge/server cut {@code cut} and, if {@code second >= 0}, a second cut inside a side. */
  CutPrediction predict(ChainPredictor predictor, int cut, int second) {
    int layers = predictor.costs().chain().size() - 1;
    List<ServiceUnit> units = new ArrayList<>();
    units.add(new ServiceUnit(0, 0, Tier.EDGE, 1));
    addSide(units, 1, cut, Tier.EDGE, second);
    addSide(units, cut + 1, layers, Tier.SERVER, second);
    Placement placement = new Placement("E".repeat(cut + 1) + "S".repeat(layers - cut));
    Prediction p = predictor.predict(placement, units);
    CostModel costs = predictor.costs();
    long up = cut < layers ? costs.hopBytes(cut) : 0;
    long down = cut < layers ? costs.hopBytes(layers) : 0;
    double edge = 0;
    double server = 0;
    double link = 0;
    double edgeCpu = 0;
    for (ServiceUnit u : units) {
      if (u.tier() == Tier.EDGE) {
        for (int stage = u.first(); stage <= u.last(); stage++) {
          var cpu = costs.serviceCpu(stage, Tier.EDGE);
          edgeCpu += (cpu != null ? cpu.cpuMsPerFrame() : Double.NaN) - (stage < u.last() ? costs.hopCpuMs(stage) : 0);
        }
      }
    }
    for (UnitPrediction u : p.units()) {
      if (u.tier() == Tier.EDGE) {
        edge += u.computeMs();
      } else {
        server += u.computeMs();
      }
      if (u.sendLink() == LinkClass.EDGE_SERVER) {
        link += u.sendMs();
      }
    }
    return new CutPrediction(cut, second, p, up, down, edge, server, link, label(p.limit(), predictor.costs().chain()),
        edgeCpu);
  }

  /** Stages {@code first..last} as one unit, or two when {@code second} falls strictly inside them. */
  private static void addSide(List<ServiceUnit> units, int first, int last, Tier tier, int second) {
    if (first > last) {
      return;
    }
    if (second >= first && second < last) {
      units.add(new ServiceUnit(first, second, tier, 1));
      units.add(new ServiceUnit(second + 1, last, tier, 1));
    } else {
      units.add(new ServiceUnit(first, last, tier, 1));
    }
  }

  private String explain(List<CutPrediction> ranked, List<CutPrediction> singles, StageChain chain, int layers) {
    CutPrediction w = ranked.get(0);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%s wins on %s with %s fps and %.2f ms per frame: ", w.label(),
        options.objective() == Objective.THROUGHPUT ? "throughput" : "latency", Format.fps(w.fps()), w.latencyMs()));
    s.append(sides(w, layers)).append("; its limit is ").append(limit(w.prediction().limit(), chain))
        .append(String.format(Locale.ROOT, " (%.2f ms per frame", w.prediction().periodMs()));
    UnitPrediction neck = w.prediction().bottleneckUnit();
    if (neck != null) {
      s.append(String.format(Locale.ROOT, ": %.2f ms compute + %.2f ms send", neck.computeMs(), neck.sendMs()));
    }
    s.append(')');
    if (w.secondCut() >= 0) {
      CutPrediction single = singles.get(w.cut());
      s.append(String.format(Locale.ROOT, "; the second cut overlaps two services on the %s and beats cut %d alone "
          + "(%s fps, %.2f ms)", w.secondCut() < w.cut() ? "edge" : "server", w.cut(), Format.fps(single.fps()),
          single.latencyMs()));
    }
    CutPrediction runnerUp = ranked.stream().filter(r -> r.cut() != w.cut() && r.secondCut() < 0).findFirst().orElse(null);
    if (runnerUp != null) {
      s.append(String.format(Locale.ROOT, ". Runner-up %s: %s fps, %.2f ms (limit %s)", runnerUp.label(),
          Format.fps(runnerUp.fps()), runnerUp.latencyMs(), limit(runnerUp.prediction().limit(), chain)));
    }
    CutPrediction server = singles.get(0);
    CutPrediction fewest = singles.subList(0, layers).stream().min(Comparator.comparingLong(CutPrediction::bytesUp))
        .orElseThrow();
    s.append(String.format(Locale.ROOT, ". All-server (cut 0) would give %s fps, %.2f ms; the fewest-bytes cut (%d, %d B "
        + "up) %s fps, %.2f ms", Format.fps(server.fps()), server.latencyMs(), fewest.cut(), fewest.bytesUp(),
        Format.fps(fewest.fps()), fewest.latencyMs()));
    return s.append('.').toString();
  }

  private static String sides(CutPrediction p, int layers) {
    if (p.cut() == 0) {
      return String.format(Locale.ROOT, "every layer on the server (%.2f ms), the picture (%d B) up and %d B of "
          + "results back over the link (%.2f ms)", p.serverMs(), p.bytesUp(), p.bytesDown(), p.linkMs());
    }
    if (p.cut() == layers) {
      return String.format(Locale.ROOT, "every layer on the edge (%.2f ms), nothing crosses the link", p.edgeMs());
    }
    return String.format(Locale.ROOT, "the edge runs layers 0-%d (%.2f ms), %d B cross the link up and %d B of "
        + "results come back (%.2f ms), the server runs layers %d-%d (%.2f ms)", p.cut() - 1, p.edgeMs(), p.bytesUp(),
        p.bytesDown(), p.linkMs(), p.cut(), layers - 1, p.serverMs());
  }

  /** A limit in the model's words: layer ranges and cuts instead of long fused stage names. */
  private static String limit(Limit limit, StageChain chain) {
    return switch (limit.kind()) {
      case COMPUTE -> "the compute of " + layersOf(limit.service(), chain) + " on the " + limit.tier();
      case HOP -> "the hop after " + cutOf(limit.hop(), chain) + " inside the " + limit.tier() + " node";
      case LINK -> "the edge-server link at " + cutOf(limit.hop(), chain);
      case NODE_CPU, HOST_CPU -> limit.describe();
    };
  }

  /** A limit as a table cell: "link at cut 40", "layers 0-39 compute (E)", "edge CPU". */
  private static String label(Limit limit, StageChain chain) {
    return switch (limit.kind()) {
      case COMPUTE -> layersOf(limit.service(), chain) + " compute (" + limit.tier().letter() + ")";
      case HOP -> "hop after " + cutOf(limit.hop(), chain) + " (" + limit.tier().letter() + ")";
      case LINK -> "link at " + cutOf(limit.hop(), chain);
      case NODE_CPU, HOST_CPU -> limit.label();
    };
  }

  /** "layers 0-39" for a unit named by its stages joined with '+', or "the producer". */
  private static String layersOf(String unitName, StageChain chain) {
    String[] stages = unitName.split("\\+");
    int first = chain.indexOf(stages[0]);
    int last = chain.indexOf(stages[stages.length - 1]);
    if (first == 0) {
      return "the producer";
    }
    return first == last ? "layer " + (first - 1) : "layers " + (first - 1) + "-" + (last - 1);
  }

  /** "cut 40" for the hop leaving stage 40 (the results' hop to the sink is "the results' way back"). */
  private static String cutOf(String hop, StageChain chain) {
    int sender = chain.senderOfHop(hop);
    return sender == chain.size() - 1 ? "the results' return" : "cut " + sender;
  }
}
