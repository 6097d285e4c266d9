package io.edgepipe.experiments;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.harness.report.Table;
import io.edgepipe.harness.RunResult;
import io.edgepipe.experiments.TestbedDriver.PhasedResult;
import io.edgepipe.harness.testbed.TestbedRun;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.predict.Planner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.predict.Prediction;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * E4 and E5 (thesis figures 4.9-4.16). E4: latency and throughput of each placement (SSSS,
 * ESSS, EESS, EEES, EEEE) on the testbed, for each frame size and at each link rate (one testbed
 * per rate, brought up and down through the {@link TestbedDriver}). E5: the planner's prediction
 * for each of them, from a profile built from measurements (edge compute measured under the
 * edge's cgroup cap on the testbed, server compute uncapped, hops over loopback gRPC, the
 * edge-server link at the testbed's rate), beside what E4 measured: the error in percent, and
 * whether the predicted best placement is the measured best.
 *
 * <p>Without a testbed E4 is skipped (a loopback run is not an edge/server measurement) and E5
 * still predicts every placement, with the edge's compute estimated as this machine's divided by
 * the edge CPU cap; the report says so.
 */
public final class PlacementExperiment {
  static final String E4_CSV = "e4_placements.csv";
  static final String E5_CSV = "e5_predictions.csv";
  static final String E5_BEST_CSV = "e5_best.csv";
  static final String E5_SERVICE_CPU_CSV = "e5_service_cpu.csv";

  /** Columns of {@link #E4_CSV}, one row per link, frame size and placement. */
  public enum PlacementColumn implements CsvColumn {
    BANDWIDTH, SIZE, SIDE, PLACEMENT, FRAMES, DELIVERED, FPS, LAT_MEAN_MS, LAT_P50_MS, LAT_P95_MS, LOST, EDGE_CORES,
    SERVER_CORES
  }

  /** Columns of {@link #E5_CSV}: the planner's prediction per link, size and placement, and the measurement if any. */
  public enum PredictionColumn implements CsvColumn {
    BANDWIDTH, SIZE, SIDE, PLACEMENT, PRED_LATENCY_MS, PRED_FPS, PRED_BOTTLENECK, MEAS_LATENCY_MS, MEAS_FPS,
    LATENCY_ERR_PCT, FPS_ERR_PCT
  }

  /** Columns of {@link #E5_BEST_CSV}: the best placement per link, size and objective. */
  public enum BestColumn implements CsvColumn {
    BANDWIDTH, SIZE, OBJECTIVE, PREDICTED_BEST, MEASURED_BEST, MATCH
  }

  /** Columns of {@link #E5_SERVICE_CPU_CSV}: the service CPU the testbed profile was built from. */
  public enum ServiceCpuColumn implements CsvColumn {
    SIZE, SIDE, TIER, RUN, SERVICE, MAIN_FPS, MAIN_CORES, PACED_FPS, PACED_CORES, CPU_MS_PER_FRAME, BACKGROUND_CORES
  }
  static final double THROUGHPUT_SECONDS = 8;
  /** Warm-up of every testbed run at least (then on until the rate settles): JIT on fresh JVMs takes this long. */
  static final double WARMUP_SECONDS = 20;

  private PlacementExperiment() {}

  /** SSSS, then the producer-on-edge prefixes E^k S^(n-k), k = 1..n. */
  static List<String> placements(int services) {
    List<String> out = new ArrayList<>(List.of("S".repeat(services)));
    for (int k = 1; k <= services; k++) {
      out.add("E".repeat(k) + "S".repeat(services - k));
    }
    return out;
  }

  public static long plannedFrames(SuitePlan p, PipelineSpec spec, boolean testbed) {
    long steps = ProfileMeasurer.plannedSteps(p, spec);
    if (!testbed) {
      return steps;
    }
    long runs = (long) p.bandwidths().size() * p.sizes().size() * placements(spec.layers().size() + 1).size()
        + 2L * p.sizes().size(); // the service-CPU runs, all-edge and all-server per size
    return steps + runs * (p.placementFrames() + p.placementLatencyFrames());
  }

  public static void run(Suite s, double edgeCpu) {
    int services = s.spec.layers().size() + 1;
    List<String> placements = placements(services);
    int cores = Runtime.getRuntime().availableProcessors();
    // the nodes' CPU as the planner sees it: the edge's quota, the server uncapped, and both on this one host
    PlannerOptions base = PlannerOptions.defaults().withCores(edgeCpu, cores).withHostCores(cores);
    s.note("e5_edge_cores_for_planner", edgeCpu);
    s.note("e5_server_cores_for_planner", cores);
    s.note("e5_host_cores_for_planner", cores);
    s.note("edge_cpu", edgeCpu);
    Table e4 = CsvColumn.table(PlacementColumn.values());
    s.note("e4_method", "per placement, size and rate, one start of the chain: warm-up frames (not counted) for at "
        + "least " + Math.round(WARMUP_SECONDS) + " s and on until the rate settles (4 s windows, the last within 5% of "
        + "the one two before; at most 40 s more: fresh JVMs need that long to compile), then frames as fast as the chain goes (at least "
        + s.plan.placementFrames() + ", about " + Math.round(THROUGHPUT_SECONDS) + " s at the warm-up's rate; fps = "
        + "delivered / time), then a paced phase of about " + Math.round(s.plan.placementLatencySeconds())
        + " s (frames two predicted latencies apart and at most half the measured rate; latency = its median)");
    Table e5 = CsvColumn.table(PredictionColumn.values());
    Table best = CsvColumn.table(BestColumn.values());

    TestbedDriver driver = s.testbed.driver();
    if (driver == null) {
      s.note("e4_status", "skipped");
      s.note("e4_reason", s.testbed.reason());
      s.note("e5_status", "predictions only");
      s.note("e5_profile", "sustained compute measured in this process for the server tier; edge compute = server "
          + "compute / " + edgeCpu + " (the edge CPU cap; estimated, not measured: no testbed); hops over loopback gRPC; "
          + "edge-server = loopback hop + bytes x 8 / rate");
      s.task("E5 profile");
      ProfileMeasurer.Measured m = ProfileMeasurer.measure(s, List.of(Tier.SERVER));
      List<ProfileMeasurer.Compute> compute = new ArrayList<>(m.compute());
      for (ProfileMeasurer.Compute c : m.compute()) {
        compute.add(new ProfileMeasurer.Compute(c.stage(), Tier.EDGE, c.size(), c.medianMs() / edgeCpu, c.p95Ms() / edgeCpu));
      }
      for (String bw : s.plan.bandwidths()) {
        Profile profile = ProfileMeasurer.profile(m, compute, BitRate.parse(bw));
        profile.write(s.dir.resolve("profile-" + bw + ".json")); // `pipeline plan` can replay it
        for (int side : s.plan.sizes()) {
          Map<String, Prediction> predicted = predict(profile, base, side, placements);
          for (String p : placements) {
            Prediction pr = predicted.get(p);
            e5.row(bw, side + "x" + side, side, p, pr.latencyMs(), pr.fps(), pr.bottleneck(), "-", "-", "-", "-");
          }
          best.row(bw, side + "x" + side, "throughput", bestBy(predicted, true), "-", "-");
          best.row(bw, side + "x" + side, "latency", bestBy(predicted, false), "-", "-");
        }
      }
    } else {
      s.note("e4_status", "measured");
      s.note("e5_status", "predicted and measured");
      s.note("e5_profile", "per service, tier and size, the CPU its process needs in a running chain: the whole "
          + "chain on the edge node (cgroup cap " + edgeCpu + " cores) and on the server node, once each per size, its "
          + "processes' CPU read from /proc in the throughput and the paced phase, split into ms per frame and "
          + "background cores (" + E5_SERVICE_CPU_CSV + "); sustained compute measured inside each node (latency, "
          + "each service's own pace); hops over loopback gRPC; edge-server = loopback hop + bytes x 8 / the "
          + "testbed's rate. Planner cores: edge " + edgeCpu + ", server and host " + cores + " (both nodes share "
          + "this host). Measured latency = p50 of the paced phase");
      runOnTestbed(s, driver, edgeCpu, base, placements, e4, e5, best);
    }
    e4.writeCsv(s.dir.resolve(E4_CSV));
    e5.writeCsv(s.dir.resolve(E5_CSV));
    best.writeCsv(s.dir.resolve(E5_BEST_CSV));
    s.say("");
    if (driver != null) {
      s.say("E4 placements on the testbed");
      e4.print(s.console);
      s.say("");
    } else {
      s.say("E4 skipped: " + s.testbed.reason());
    }
    s.say("E5 planner predictions" + (driver != null ? " vs measured" : " (no testbed: nothing measured to compare)"));
    e5.print(s.console);
  }

  private static void runOnTestbed(Suite s, TestbedDriver driver, double edgeCpu, PlannerOptions base,
      List<String> placements, Table e4, Table e5, Table best) {
    ProfileMeasurer.Measured hopsOnly = null;
    List<ProfileMeasurer.Compute> compute = new ArrayList<>();
    Table serviceCpu = CsvColumn.table(ServiceCpuColumn.values());
    List<ServiceCpuEntry> cpu = new ArrayList<>();
    try {
      for (String bw : s.plan.bandwidths()) {
        s.task("testbed up " + bw);
        driver.up(bw, edgeCpu);
        s.note("testbed_" + bw, driver.describe());
        if (hopsOnly == null) {
          hopsOnly = ProfileMeasurer.measure(s, List.of()); // hops; compute comes from the nodes
          for (Tier tier : List.of(Tier.EDGE, Tier.SERVER)) {
            s.task("E5 compute on the " + tier.label() + " node");
            compute.addAll(ProfileMeasurer.computeOf(measureOnNode(s, driver, tier), tier));
          }
          // the CPU each service's process needs in a running chain, per tier: all of the chain on
          // that node (no frame crosses the link, so one rate's testbed serves every rate)
          for (int side : s.plan.sizes()) {
            for (Tier tier : List.of(Tier.EDGE, Tier.SERVER)) {
              String whole = (tier == Tier.EDGE ? "E" : "S").repeat(placements.get(0).length());
              s.task("E5 service CPU " + side + "x" + side + " " + whole);
              PhasedResult r = phasedRun(s, driver, s.spec.withInput(side, side), whole, 20);
              r.cpu().forEach((service, c) -> {
                cpu.add(new ServiceCpuEntry(service, tier, side, c));
                serviceCpu.row(side + "x" + side, side, tier.label(), whole, service, c.mainFps(), c.mainCores(),
                    c.pacedFps(), c.pacedCores(), c.cpuMsPerFrame(), c.backgroundCores());
              });
            }
          }
          serviceCpu.writeCsv(s.dir.resolve(E5_SERVICE_CPU_CSV));
        }
        Profile profile = ProfileMeasurer.profile(hopsOnly, compute, driver.bandwidthBitsPerSec(), cpu);
        profile.write(s.dir.resolve("profile-" + bw + ".json")); // `pipeline plan` can replay it
        for (int side : s.plan.sizes()) {
          PipelineSpec spec = s.spec.withInput(side, side);
          Map<String, Prediction> predicted = predict(profile, base, side, placements);
          Map<String, double[]> measured = new HashMap<>();
          for (String p : placements) {
            s.task("E4 " + bw + " " + side + "x" + side + " " + p);
            Prediction pr = predicted.get(p);
            // frames of the paced phase two predicted latencies apart (and at most half the measured rate)
            double pace = Math.max(1, Math.min(20, 1000 / (2 * Math.max(1, pr.latencyMs()))));
            PhasedResult r = phasedRun(s, driver, spec, p, pace);
            RunResult thr = r.throughput();
            RunResult lat = r.paced();
            double latMs = lat.summary().latencyP50Ms();
            double fps = thr.summary().fps();
            measured.put(p, new double[] {latMs, fps});
            e4.row(bw, side + "x" + side, side, p, thr.sent(), thr.summary().delivered(), fps,
                lat.summary().latencyMeanMs(), latMs, lat.summary().latencyP95Ms(), lat.lost() + thr.lost(),
                nodeCores(s, r, p, 'E'), nodeCores(s, r, p, 'S'));
            e5.row(bw, side + "x" + side, side, p, pr.latencyMs(), pr.fps(), pr.bottleneck(), latMs, fps,
                errPct(pr.latencyMs(), latMs), errPct(pr.fps(), fps));
          }
          String measuredBestFps = measured.entrySet().stream().max(Comparator.comparingDouble(e -> e.getValue()[1]))
              .orElseThrow().getKey();
          String measuredBestLat = measured.entrySet().stream().min(Comparator.comparingDouble(e -> e.getValue()[0]))
              .orElseThrow().getKey();
          String pf = bestBy(predicted, true);
          String pl = bestBy(predicted, false);
          best.row(bw, side + "x" + side, "throughput", pf, measuredBestFps, pf.equals(measuredBestFps) ? "yes" : "no");
          best.row(bw, side + "x" + side, "latency", pl, measuredBestLat, pl.equals(measuredBestLat) ? "yes" : "no");
        }
        driver.down();
      }
    } finally {
      driver.down();
    }
  }

  /** A service's measured CPU on one tier at one frame side. */
  record ServiceCpuEntry(String service, Tier tier, int side, io.edgepipe.harness.testbed.ServiceCpu cpu) {}

  /**
   * One start of the chain on the testbed: warm-up through the fresh JVMs until their rate settles
   * (not counted; a half-core edge compiles for tens of seconds), then as fast as the chain goes
   * for about {@link #THROUGHPUT_SECONDS}, then a paced phase at {@code pace} fps (at most half the
   * measured rate, so no frame waits for another).
   */
  private static PhasedResult phasedRun(Suite s, TestbedDriver driver, PipelineSpec spec, String placement,
      double pace) {
    TestbedRun.Phases phases = new TestbedRun.Phases(WARMUP_SECONDS, THROUGHPUT_SECONDS,
        s.plan.placementLatencySeconds(), pace);
    return s.counted(s.plan.placementFrames() + s.plan.placementLatencyFrames(),
        progress -> driver.runPhased(spec, s.specFile, placement, s.options(spec, s.plan.placementFrames(), 0, 1),
            phases, progress));
  }

  /** Cores the services on one node used in the main phase, together ({@code -} when not measured). */
  private static Object nodeCores(Suite s, PhasedResult r, String placement, char node) {
    List<String> services = ProfileMeasurer.services(s.spec);
    double cores = 0;
    boolean any = false;
    for (int i = 0; i < services.size() && i < placement.length(); i++) {
      io.edgepipe.harness.testbed.ServiceCpu c = r.cpu().get(services.get(i));
      if (placement.charAt(i) == node && c != null && Double.isFinite(c.mainCores())) {
        cores += c.mainCores();
        any = true;
      }
    }
    return any ? cores : (Object) "-";
  }

  /**
   * Measures every service's sustained compute inside a node of the testbed (its cgroup and
   * namespace: under the edge's CPU cap) with this command's hidden node mode, and reads it back.
   */
  private static Profile measureOnNode(Suite s, TestbedDriver driver, Tier tier) {
    Path file = s.dir.resolve("profile-" + tier.label() + ".json").toAbsolutePath();
    Path logFile = s.logs.resolve("compute-" + tier.label() + ".log");
    List<String> args = new ArrayList<>(List.of("bench", "experiments", "--node-compute", tier.label(),
        "--profile-out", file.toString(), "--spec", s.specFile.toAbsolutePath().toString(), "--sizes",
        String.join(",", s.plan.sizes().stream().map(String::valueOf).toList()), "--device", s.device));
    if (s.plan.quick()) {
      args.add("--quick");
    }
    try {
      Files.createDirectories(logFile.getParent());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int code = driver.runCli(tier.label(), args, logFile, Duration.ofMinutes(10));
    if (code != 0) {
      throw new IllegalStateException("compute measurement on the " + tier.label() + " node exited with " + code
          + "; see " + logFile);
    }
    return Profile.read(file);
  }

  static Map<String, Prediction> predict(Profile profile, PlannerOptions base, int side, List<String> placements) {
    Planner planner = new Planner(base.withFrameSize(FrameSize.of(side, side)));
    Map<String, Prediction> out = new java.util.LinkedHashMap<>();
    for (String p : placements) {
      out.put(p, planner.predict(profile, new Placement(p)));
    }
    return out;
  }

  /** The best placement by predicted fps (most) or latency (least); ties go to the earlier one in the list. */
  static String bestBy(Map<String, Prediction> predicted, boolean throughput) {
    String best = null;
    double bestValue = 0;
    for (Map.Entry<String, Prediction> e : predicted.entrySet()) {
      double v = throughput ? e.getValue().fps() : -e.getValue().latencyMs();
      if (best == null || v > bestValue + 1e-9) {
        best = e.getKey();
        bestValue = v;
      }
    }
    return best;
  }

  static String errPct(double predicted, double measured) {
    if (!(measured > 0)) {
      return "-";
    }
    return String.format(Locale.ROOT, "%+.1f", 100 * (predicted - measured) / measured);
  }
}
