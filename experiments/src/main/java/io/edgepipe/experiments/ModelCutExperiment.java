package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.experiments.models.ModelProfiles;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.testbed.LinkHopProbe;
import io.edgepipe.harness.testbed.PartitionSweep;
import io.edgepipe.testbed.Node;
import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Each cut of a model on the testbed, predicted and measured: the model is profiled on both nodes
 * (edge under its CPU cap, server), then one {@link PartitionSweep} keeps a warm JVM per node and
 * the producer streaming while every chosen cut's partitions are loaded in turn (an edge service
 * with the layers before the cut, beside the producer; a server service with the rest), warmed
 * with a short burst, and measured at every link rate (the shaper changed under the running
 * chain): throughput as fast as the chain goes until the rate is stable, then latency paced at
 * half that rate. Writes one CSV row per (link, cut) and {@link ModelCutReport}'s chart and
 * markdown: predicted vs measured fps and latency with the error per cut, where the best cut
 * moves as the link slows, and whether the predicted best is the measured best against the naive
 * rules (all-server; fewest bytes).
 */
public final class ModelCutExperiment {
  /**
   * @param cuts "auto" (all-server, all-edge, the fewest-bytes cut, each link's predicted best, and
   *             two single-tensor cuts at a third and two thirds of the model), "single" (every cut
   *             one tensor crosses, plus both ends), "all", or a list "0,4,40"
   * @param warmSeconds   frames through each cut's fresh partitions before anything counts
   * @param window        when a throughput window ends (frames, seconds, stable rate)
   * @param pacedFrames   frames of each paced latency window (at least; it ends at the window's longest)
   */
  public record Settings(Path specFile, List<String> links, double edgeCpu, String cuts, double warmSeconds,
      PartitionSweep.Rule window, int pacedFrames, int hostCores, Path outDir, String cliMain) {
    /**
     * The default windows: after 0.15 s settling, at least 5 frames and 0.5 s, until the two halves agree
     * within 10%, at most 2 s.
     */
    public static PartitionSweep.Rule defaultWindow() {
      return new PartitionSweep.Rule(0.15, 5, 0.5, 2.0, 10);
    }
  }

  /** Columns of {@code NAME-cuts.csv}, one row per link rate and cut. */
  public enum CutColumn implements CsvColumn {
    MODEL, LINK, CUT, BYTES_UP, PLACEMENT, RULE, PRED_RANK, PRED_FPS, MEAS_FPS, FPS_ERROR_PCT, PRED_LATENCY_MS,
    MEAS_P50_MS, LATENCY_ERROR_PCT, WINDOW_FRAMES, WINDOW_S, PACED_FPS, PACED_FRAMES, FOREIGN_FRAMES,
    PRED_EDGE_CPU_MS, MEAS_EDGE_CPU_MS, MEAS_SERVER_CPU_MS, CELL_S
  }

  /** Settling before a paced window: the queue is drained by then, so one report period is enough. */
  static final double PACED_SETTLE_S = 0.1;
  /** The fresh JVMs' warm-up at each of {@link #warmupCuts}: 5 s at least, until the rate holds within 5%, at most 40 s. */
  static final PartitionSweep.Rule START_WARMUP = new PartitionSweep.Rule(2, 20, 5, 40, 5);
  /** After it, windows of about 3 s until two in a row are {@link #settled}, ... */
  static final PartitionSweep.Rule SETTLED_WINDOW = new PartitionSweep.Rule(0, 20, 3, 4, 100);
  /** ... for at most this long at one cut, {@link #START_WARMUP} included. */
  static final double WARMUP_MAX_SECONDS = 60;
  /** Two warm-up windows this close in fps and in the edge's CPU per frame: the JIT has settled. */
  static final double SETTLED_PCT = 10;

  private ModelCutExperiment() {}


  public static Path run(Settings s, TestbedDriver driver, PrintStream log) {
    try {
      Files.createDirectories(s.outDir());
      ModelSpec spec = ModelSpec.load(s.specFile());
      // every process reads the model by an absolute path, whatever its working folder
      Path specAbs = s.outDir().resolve(spec.name() + ".yaml").toAbsolutePath();
      ModelSpec absolute = new ModelSpec(spec.name(), spec.modelFile().toAbsolutePath(), spec.inputName(),
          spec.inputShape(), spec.input(), spec.postprocess(), false, List.of());
      ModelGraph g = absolute.graph();
      Files.writeString(specAbs, absolute.toYaml().replace("split: cuts", "split: auto"));
      int layers = g.steps().size();

      driver.up(s.links().get(0), s.edgeCpu());
      Path edgeProfile = s.outDir().resolve(spec.name() + "-edge.json").toAbsolutePath();
      Path profileFile = s.outDir().resolve(spec.name() + "-profile.json").toAbsolutePath();
      if (Files.exists(profileFile) && ModelProfiles.matches(Profile.read(profileFile), absolute, g)) {
        log.println("profile of " + spec.name() + " from " + profileFile + " (delete it to measure again)");
      } else {
        log.println("profiling " + spec.name() + " on the edge (" + s.edgeCpu() + " core) and the server ...");
        long t0 = System.nanoTime();
        profileBothNodes(driver, specAbs, edgeProfile, profileFile, s.outDir());
        log.printf(Locale.ROOT, "profiled in %.1f min%n", (System.nanoTime() - t0) / 6e10);
      }
      Profile profile = Profile.read(profileFile);
      if (!hasLinkHops(profile, s.links())) {
        log.println("timing a hop over the link at " + s.links() + " (sender's and receiver's CPU) ...");
        long t0 = System.nanoTime();
        profile = withLinkHops(profile, driver, s.links(), s.outDir().resolve("logs"), log);
        profile.write(profileFile);
        log.printf(Locale.ROOT, "link hops timed in %.1f min, saved in %s%n", (System.nanoTime() - t0) / 6e10,
            profileFile);
      }

      Map<String, CutPlanner.CutPlan> plans = new LinkedHashMap<>();
      for (String link : s.links()) {
        plans.put(link, plan(profile, link, s));
      }
      List<Integer> cuts = cuts(s.cuts(), g, plans);
      if (cuts.isEmpty()) {
        log.println("--cuts none: profiled, nothing swept");
        driver.down();
        return profileFile;
      }
      log.printf(Locale.ROOT, "cuts to run: %s at links %s: %d cells%n", cuts, s.links(), cuts.size() * s.links().size());

      log.printf(Locale.ROOT, "estimate from the predicted rates: about %.1f min for the cells, plus %.1f min warming "
          + "the JVMs%n", SweepEstimate.cellsSeconds(cuts, s, plans) / 60, SweepEstimate.START_SECONDS / 60);
      Table rows = CsvColumn.table(CutColumn.values());
      SweepEstimate.Phases phases = new SweepEstimate.Phases();
      String phasesLine = "";
      Path logs = s.outDir().resolve("logs").resolve(spec.name());
      Files.createDirectories(logs);
      long sweepStart = System.nanoTime();
      PartitionSweep sweep = new PartitionSweep(driver.state(), logs, "cpu");
      try {
        // fresh JVMs: every layer's kernels and both ends of a hop over the link compile first, each until
        // its rate is steady (warmupCuts), so that each cut after needs only a short burst
        int loadedCut = -1;
        for (int end : warmupCuts(cuts, layers)) {
          Path file = cutSpec(s, spec, absolute, g, end);
          PipelineSpec pipeline = SpecOption.load(file);
          List<PartitionSweep.Partition> parts = partitions(pipeline, file, end, layers);
          if (loadedCut < 0) {
            sweep.start(pipeline, file, "synthetic", parts);
          } else {
            sweep.load(parts);
          }
          loadedCut = end;
          sweep.pace(0);
          PartitionSweep.Window w = sweep.measure(START_WARMUP);
          double warmed = w.seconds() + START_WARMUP.settleSeconds();
          boolean settled = false;
          while (!settled && warmed < WARMUP_MAX_SECONDS) {
            PartitionSweep.Window next = sweep.measure(SETTLED_WINDOW);
            warmed += next.seconds();
            settled = settled(w, next);
            w = next;
          }
          log.printf(Locale.ROOT, "warm-up at cut %d (%s): %.1f fps, edge CPU %.2f ms a frame, after %.0f s%s%n", end,
              end == 0 ? "all-server" : end == layers ? "all-edge" : "edge and server", w.fps(), w.edgeCpuMs(), warmed,
              settled ? "" : " (not settled)");
        }
        long cutsStart = System.nanoTime();
        int done = 0;
        for (int cut : cuts) {
          if (done > 0) {
            double elapsed = (System.nanoTime() - cutsStart) / 1e9;
            double perCut = elapsed / done;
            log.printf(Locale.ROOT, "[%d of %d cuts in %.1f min, %.1f s a cell so far, about %.1f min left]%n", done,
                cuts.size(), elapsed / 60, perCut / s.links().size(), perCut * (cuts.size() - done) / 60);
          }
          // links in snake order (1G, 100M, 10M, then 10M, 100M, 1G): the next cut starts at the rate the last
          // cell left, so one rate change less per cut; the paced window before it left next to nothing queued
          List<String> order = new ArrayList<>(s.links());
          if (done % 2 == 1) {
            java.util.Collections.reverse(order);
          }
          done++;
          Path file = cutSpec(s, spec, absolute, g, cut);
          PipelineSpec pipeline = SpecOption.load(file);
          List<PartitionSweep.Partition> parts = partitions(pipeline, file, cut, layers);
          long t0 = System.nanoTime();
          if (cut != loadedCut) {
            sweep.load(parts);
            loadedCut = cut;
          }
          phases.add("load", t0);
          String placement = "E" + (cut > 0 ? "E" : "") + (cut < layers ? "S" : "");
          boolean first = true;
          for (String link : order) {
            long cellStart = System.nanoTime();
            sweep.setLinkRate((long) BitRate.parse(link));
            phases.add("rate", cellStart);
            sweep.pace(0);
            // the first window of a fresh cut settles longer: its frames are the partitions' warm-up
            PartitionSweep.Rule rule = first ? s.window().withSettle(s.warmSeconds() + s.window().settleSeconds())
                : s.window();
            first = false;
            long t1 = System.nanoTime();
            PartitionSweep.Window t = sweep.measure(rule);
            phases.add("throughput", t1);
            double pace = Math.max(0.5, t.fps() / 2);
            long t2 = System.nanoTime();
            sweep.drain(t.fps()); // frames queued behind the link at full speed arrive first
            phases.add("drain", t2);
            sweep.pace(pace);
            long t3 = System.nanoTime();
            PartitionSweep.Window l = sweep.measure(new PartitionSweep.Rule(PACED_SETTLE_S, s.pacedFrames(),
                s.window().minSeconds() / 2, s.window().maxSeconds() + 1, 1000));
            phases.add("paced", t3);
            CutPlanner.CutPlan plan = plans.get(link);
            CutPlanner.CutPrediction p = plan.singles().get(cut);
            rows.row(spec.name(), link, cut, p.bytesUp(), placement, rules(plan, cut, layers), rank(plan, cut), p.fps(),
                t.fps(), error(p.fps(), t.fps()), p.latencyMs(), l.latencyP50Ms(), error(p.latencyMs(), l.latencyP50Ms()),
                t.frames(), t.seconds(), pace, l.frames(), t.foreignFrames() + l.foreignFrames(), p.edgeCpuMs(),
                t.edgeCpuMs(), t.serverCpuMs(), (System.nanoTime() - cellStart) / 1e9);
            log.printf(Locale.ROOT, "%s cut %d at %s: predicted %.1f fps %.1f ms (edge CPU %.2f ms a frame), measured "
                + "%.1f fps (%d frames, %.1f s; edge CPU %.2f, server %.2f ms a frame), p50 %.1f ms at %.1f fps%n",
                spec.name(), cut, link, p.fps(), p.latencyMs(), p.edgeCpuMs(), t.fps(), t.frames(), t.seconds(),
                t.edgeCpuMs(), t.serverCpuMs(), l.latencyP50Ms(), pace);
          }
          rows.writeCsv(s.outDir().resolve(spec.name() + "-cuts.csv")); // what is measured so far survives a failure
        }
        phasesLine = phases.toString();
        log.println("sweep time by phase: " + phasesLine);
      } finally {
        sweep.close();
      }
      String accounting = sweep.accounting(); // closed: the producer has accounted for every frame of the sweep
      log.println("sweep: " + accounting);
      double minutes = (System.nanoTime() - sweepStart) / 6e10;
      log.printf(Locale.ROOT, "sweep of %d cells took %.1f min (%.1f s a cell)%n", rows.rows().size(), minutes,
          minutes * 60 / Math.max(1, rows.rows().size()));
      driver.down();
      Path csv = s.outDir().resolve(spec.name() + "-cuts.csv");
      rows.writeCsv(csv);
      String method = String.format(Locale.ROOT, "%d layers, %d cuts run (`--cuts %s`), edge %.2f core, links %s; "
          + "synthetic frames; one partition host JVM per node and one producer for the whole sweep (%s); per cut, "
          + "the links in snake order (the next cut starts at the rate the last cell left); per link a throughput "
          + "window (at least %d frames and %.2f s, until its halves agree within %.0f%%, at most %.1f s, after %.2f s "
          + "settling, %.2f s more on a cut's first link: its warm-up), the edge's and the server's CPU per frame over "
          + "it (/proc), and, once the frames it queued have arrived, a latency window paced at half that rate (%d "
          + "frames at least, after %.1f s); sweep %.1f min, %.1f s a cell (%s)", layers, cuts.size(), s.cuts(),
          s.edgeCpu(), s.links(), accounting, s.window().minFrames(), s.window().minSeconds(), s.window().stablePct(),
          s.window().maxSeconds(), s.window().settleSeconds(), s.warmSeconds(), s.pacedFrames(), PACED_SETTLE_S,
          minutes, minutes * 60 / Math.max(1, rows.rows().size()), phasesLine);
      return ModelCutReport.write(s.outDir(), spec.name(), method);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The spec of one cut (absolute model path), written beside the results. */
  private static Path cutSpec(Settings s, ModelSpec spec, ModelSpec absolute, ModelGraph g, int cut) throws IOException {
    int layers = g.steps().size();
    // beside the processes' logs, not the results: one file per cut
    Path file = s.outDir().resolve("logs").resolve(spec.name()).resolve(spec.name() + "-cut" + cut + ".yaml")
        .toAbsolutePath();
    List<Integer> inner = cut > 0 && cut < layers ? List.of(cut) : List.of();
    ModelSpec split = new ModelSpec(spec.name(), absolute.modelFile(), spec.inputName(), spec.inputShape(),
        spec.input(), spec.postprocess(), false, ModelSpec.servicesFor(spec.name(), g, inner));
    Files.writeString(file, split.toYaml());
    return file;
  }

  /**
   * The cuts the fresh JVMs are warmed at, in order: all-edge and all-server (every layer's kernels
   * on each node), and the first cut of {@code cuts} that has layers on both nodes, if any: only
   * there does the edge's partition host send a tensor over the link (all-edge hands its results
   * to the sink on its own node through shared memory), and on the quiet sweeps the first such
   * cuts after a warm-up at the two ends alone ran at a third to a half of their later rate
   * (session 9 BlazeFace: cuts 1-4 at 1 Gbit used 4.4-8.6 ms of edge CPU a frame; session 7's
   * classifier: cuts 1-9 used 2.3-5.0 ms against 1.3-1.9 from cut 10 on). The warm-up ends at the
   * list's first cut, so that the first cell measures the partitions that were warmed.
   */
  static List<Integer> warmupCuts(List<Integer> cuts, int layers) {
    List<Integer> warm = new ArrayList<>(List.of(layers, 0));
    cuts.stream().filter(c -> c > 0 && c < layers).findFirst().ifPresent(warm::add);
    if (!cuts.isEmpty() && warm.remove(cuts.get(0))) {
      warm.add(cuts.get(0));
    }
    return warm;
  }

  /**
   * Whether a warm-up window {@code after} the one {@code before} shows the JVMs settled: fps and
   * the edge's CPU per frame each within {@link #SETTLED_PCT} of the window before.
   *
   * <p>Why the CPU and not only the rate: the JIT compiles on the node's own CPU. On the edge's
   * half core its compiler threads took 17-26% of a core (a third to a half of the quota) through
   * the first cells after a warm-up whose rate had held steady (session 9, per-thread schedstat of
   * the edge's partition host), and those cells measured the edge at 2-3x its later CPU per frame.
   * The rate can hold while the compiler still runs; the CPU per frame falls once it is done.
   */
  static boolean settled(PartitionSweep.Window before, PartitionSweep.Window after) {
    return within(before.fps(), after.fps()) && within(before.edgeCpuMs(), after.edgeCpuMs());
  }

  private static boolean within(double before, double after) {
    return before > 0 && after > 0 && Math.abs(after - before) <= SETTLED_PCT / 100 * after;
  }

  /** The services of one cut's spec, in chain order, on their nodes: edge before the cut, server after it. */
  static List<PartitionSweep.Partition> partitions(PipelineSpec pipeline, Path file, int cut, int layers) {
    List<PartitionSweep.Partition> parts = new ArrayList<>();
    List<String> names = pipeline.layers().stream().map(io.edgepipe.api.LayerSpec::name).toList();
    for (int i = 0; i < names.size(); i++) {
      boolean edge = cut == layers || (cut > 0 && i == 0);
      parts.add(new PartitionSweep.Partition(names.get(i), edge ? Node.EDGE : Node.SERVER, file));
    }
    return parts;
  }

  /** Which naive rules pick {@code cut}: all-server, fewest-bytes, all-edge ("-" for none). */
  static String rules(CutPlanner.CutPlan plan, int cut, int layers) {
    List<String> r = new ArrayList<>();
    if (cut == 0) {
      r.add("all-server");
    }
    if (cut == plan.fewestBytes().cut()) {
      r.add("fewest-bytes");
    }
    if (cut == layers) {
      r.add("all-edge");
    }
    return r.isEmpty() ? "-" : String.join(";", r);
  }

  /** The cut's place in the plan's ranking of single cuts (1 = predicted best). */
  static int rank(CutPlanner.CutPlan plan, int cut) {
    List<CutPlanner.CutPrediction> singles = plan.ranked().stream().filter(c -> c.secondCut() < 0).toList();
    return singles.indexOf(plan.singles().get(cut)) + 1;
  }

  /** The edge's compute measured in the edge node (under its cap), the server's in the server node, merged. */
  private static void profileBothNodes(TestbedDriver driver, Path specAbs, Path edgeProfile, Path profileFile, Path dir) {
    String model = specAbs.getFileName().toString().replace(".yaml", "");
    cli(driver, "edge", List.of("measure", "--spec", specAbs.toString(), "--tier", "edge", "--frames", "30",
        "--warmup", "10", "--profile", edgeProfile.toString()), dir.resolve(model + "-measure-edge.log"));
    cli(driver, "server", List.of("measure", "--spec", specAbs.toString(), "--tier", "server", "--frames", "30",
        "--warmup", "10", "--merge", edgeProfile.toString(), "--profile", profileFile.toString()),
        dir.resolve(model + "-measure-server.log"));
  }

  /** Payload sizes of the link probe: from the model's smallest hop to its largest. */
  static final int LINK_PROBE_SIZES = 5;

  /** Whether the profile has link hops at every rate of {@code links}. */
  static boolean hasLinkHops(Profile profile, List<String> links) {
    return links.stream().allMatch(l -> profile.linkHops().stream()
        .anyMatch(h -> h.bandwidthBitsPerSec() == BitRate.parse(l)));
  }

  /** {@code profile} with a hop timed over the testbed's link at each rate ({@link LinkHopProbe}). */
  private static Profile withLinkHops(Profile profile, TestbedDriver driver, List<String> links, Path logDir,
      PrintStream log) throws IOException {
    Files.createDirectories(logDir);
    long min = profile.hops().stream().mapToLong(Profile.Hop::bytes).filter(b -> b > 0).min().orElse(1024);
    long max = profile.hops().stream().mapToLong(Profile.Hop::bytes).max().orElse(1024);
    List<Long> rates = links.stream().map(l -> (long) BitRate.parse(l)).toList();
    LinkHopProbe.Settings settings = new LinkHopProbe.Settings(rates, LinkHopProbe.sizes(min, max, LINK_PROBE_SIZES),
        1.0, 5, 3, 0.5);
    ProfileBuilder b = ProfileBuilder.copyOf(profile);
    LinkHopProbe.run(driver.state(), logDir, settings, log).forEach(b::addLinkHop);
    return b.build();
  }

  private static void cli(TestbedDriver driver, String node, List<String> args, Path log) {
    int code = driver.runCli(node, args, log, Duration.ofMinutes(10));
    if (code != 0) {
      throw new IllegalStateException("`pipeline " + String.join(" ", args) + "` on the " + node + " exited with "
          + code + "; see " + log);
    }
  }

  /** The cut plan for one link: edge capped, the server the host's cores, both nodes on one host. */
  static CutPlanner.CutPlan plan(Profile profile, String link, Settings s) {
    return plan(profile, link, s.edgeCpu(), s.hostCores());
  }

  /**
   * {@code -Dedgepipe.cuts.wireApart=true}: plans drain the testbed's link apart from its senders
   * ({@link #plan(Profile, String, double, int, boolean)}); off by default (reports/s10-cutserver2.md).
   */
  static final String WIRE_APART_PROPERTY = "edgepipe.cuts.wireApart";

  static CutPlanner.CutPlan plan(Profile profile, String link, double edgeCpu, int hostCores) {
    return plan(profile, link, edgeCpu, hostCores, Boolean.getBoolean(WIRE_APART_PROPERTY));
  }

  /**
   * The plan at {@code link} on the testbed: the edge capped at {@code edgeCpu} cores, both nodes on
   * the host's {@code hostCores}.
   *
   * <p>{@code wireApart}: a hop's wire time is the link's own stage, one per direction, and only its
   * CPU is in the sender's period ({@link PlannerOptions#wireApart()}, with the testbed shaper's
   * bucket): a service hands a frame to gRPC and computes the next while the bytes cross. Off by
   * default because the chain overlaps the two only in part: the producer may have 3 frames
   * unanswered, each answered only once the sink has its results, so the stages wait on each
   * other. On the quiet sweeps a link-bound cut ran at 95-103% of the wire's rate where the
   * sender's own work was small beside the wire (BlazeFace cuts 2-30 at 100 Mbit/s) but at 74-85%
   * where the two were alike (classifier cuts 8-16: 37 KB, 3.1 ms on the wire); all-server
   * BlazeFace at 100 Mbit/s ran 160-168 fps, between the series (104) and apart (196) figures. With
   * the wire apart, fps within 15% fell on every full sweep (s10 profile, 100 Mbit/s: BlazeFace s9
   * 77 -> 72 of 94, s7 70 -> 62, classifier s7 158 -> 134 of 181) and no pick changed for the better.
   */
  static CutPlanner.CutPlan plan(Profile profile, String link, double edgeCpu, int hostCores, boolean wireApart) {
    double rate = BitRate.parse(link);
    Profile atLink = ProfileBuilder.copyOf(profile).addLink(LinkClass.EDGE_SERVER, rate, 0).build();
    PlannerOptions options = PlannerOptions.defaults().withCores(edgeCpu, hostCores).withHostCores(hostCores);
    if (wireApart) {
      options = options.withWireApart(true).withLinkBurstBytes(GridModel.testbedBurstBytes(rate));
    }
    return new CutPlanner(options).plan(atLink);
  }

  static List<Integer> cuts(String which, ModelGraph g, Map<String, CutPlanner.CutPlan> plans) {
    int layers = g.steps().size();
    TreeSet<Integer> cuts = new TreeSet<>();
    List<Integer> single = new ArrayList<>();
    for (int c = 0; c <= layers; c++) {
      if (g.crossing(c).size() == 1) {
        single.add(c);
      }
    }
    switch (which) {
      case "none" -> {
        // profile only
      }
      case "all" -> {
        for (int c = 0; c <= layers; c++) {
          cuts.add(c);
        }
      }
      case "single" -> {
        cuts.addAll(single);
        cuts.add(0);
        cuts.add(layers);
      }
      case "auto" -> {
        cuts.add(0);
        cuts.add(layers);
        for (CutPlanner.CutPlan p : plans.values()) {
          cuts.add(p.fewestBytes().cut());
          cuts.add(p.singles().stream().sorted((a, b) -> plansOrder(p).compare(a, b)).findFirst().orElseThrow().cut());
        }
        for (int third : new int[] {layers / 3, 2 * layers / 3}) {
          single.stream().min((a, b) -> Integer.compare(Math.abs(a - third), Math.abs(b - third))).ifPresent(cuts::add);
        }
      }
      default -> {
        // in the order given, repeats kept: "0,3,0,3" measures cuts 0 and 3 back to back twice
        List<Integer> given = new ArrayList<>();
        for (String c : which.split(",")) {
          int cut = Integer.parseInt(c.trim());
          if (cut < 0 || cut > layers) {
            throw new IllegalArgumentException("--cuts: " + cut + " is not a cut of 0.." + layers);
          }
          given.add(cut);
        }
        return given;
      }
    }
    return new ArrayList<>(cuts);
  }

  /** Single cuts in the plan's own order (its ranking, second cuts aside). */
  private static java.util.Comparator<CutPlanner.CutPrediction> plansOrder(CutPlanner.CutPlan p) {
    List<CutPlanner.CutPrediction> ranked = p.ranked().stream().filter(c -> c.secondCut() < 0).toList();
    return java.util.Comparator.comparingInt(ranked::indexOf);
  }

  static double error(double predicted, double measured) {
    return measured > 0 ? (predicted - measured) / measured * 100 : Double.NaN;
  }
}
