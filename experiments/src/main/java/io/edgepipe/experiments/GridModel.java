package io.edgepipe.experiments;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.predict.Planner;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.predict.Prediction;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.QuotaCpu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The E5 grid's predictions for one frame size, from what the grid measured before its visits
 * (the profile in this process, and the calibration visits on the testbed), in two versions so
 * that a run (or a replay of a kept run, {@link GridReplay}) shows both against the aims.
 *
 * <p>{@link Version#OLD}, session 6's: each service's CPU per frame from differences between the
 * calibration visits of E^k S^(n-k) (a negative difference counted as 0), the all-server CPU
 * from the median of SSSS's own measured repeats, the host's nominal cores, and a hop over the
 * link = loopback hop + payload bytes at the rate, in series with the sender.
 *
 * <p>{@link Version#NEW}, revised against session 6's quiet grid:
 * <ul>
 *   <li>hop kinds: service CPU on an in-node basis, each hop over the link adding its socket
 *       CPU (measured over loopback gRPC), half at each end ({@link GridCpuFit});</li>
 *   <li>the link: payload plus TCP/IP/Ethernet headers (4.6%), busy with one frame while the
 *       sender prepares the next (a limit of its own, not added to the sender's), and a paced
 *       frame passing the shaper's full bucket at once ({@link io.edgepipe.planner.predict.LinkWire});</li>
 *   <li>the cores the host gives the nodes: the most the nodes used together in a calibration
 *       visit (the harness and the kernel take the rest of a 2-core host), not its nominal cores;</li>
 *   <li>SSSS's CPU per frame from its own calibration visit, not from the repeats it predicts;</li>
 *   <li>the producer's compute includes what a video source does after stamping the capture time
 *       (copying the decoded picture, luma), so it is in the latency;</li>
 *   <li>a lone frame (the paced latency visits) walks the chain slower than the profile's
 *       back-to-back frames (each service's thread wakes, its caches are cold): the difference,
 *       measured once per size in SSSS's paced calibration visit ({@value #PACED_SSSS}), is added
 *       to every placement's latency (every placement has the same services and hops).</li>
 *   <li>(session 8) calibration on warm JVMs: the grid visits every placement unthrottled once
 *       more after its repeats (in session 7's quiet grid EEEE's calibration visits read 3.1 and
 *       6.8 ms of edge CPU per frame at 256 and 512, the same visit 3-10 minutes later 1.9 and
 *       4.4: the edge's maxpool, which runs only in EEEE, was still warming), and the least pass
 *       counts;</li>
 *   <li>(session 8) the lone frame's extra walk per node: EEEE's paced latency, 2.0-2.2 ms at
 *       256 in session 7's quiet grid, was 0.5 ms below SSSS's (2.6), so SSSS's extra over-predicted
 *       EEEE by 26-36%; a paced EEEE visit after the grid gives the edge's, and a placement gets
 *       each node's in proportion to the services there;</li>
 *   <li>(session 9) the edge's CPU per frame as the grid's points spend it: the all-edge chain
 *       under the grid's least quota ({@value #THROTTLED}, after the grid) gives its CPU per
 *       frame, and what that is beyond the warm unthrottled visit is charged evenly to every
 *       service on the edge where the quota binds (below the host's capacity; session 9's grid
 *       under-predicted EEEE 15-26% at 2 cores with it charged there too) ({@link GridCpuFit#edgeExtraMs}); it replaces session
 *       8's busy background, a rate-independent cost that predicted 226 fps for EEEE at 0.5 cores
 *       where session 8's grid measured 164-181 (the grid's EEEE used 2.7-3.0 ms a frame at every
 *       quota, the throttled visits 2.8-2.9, the warm unthrottled one 1.9);</li>
 *   <li>(session 9) SSSS's CPU per frame from the cheaper of its calibration visits, one after a
 *       warm-up until the server's JIT is quiet and one after its repeats (session 8's only visit
 *       still compiled and read 7.0 ms a frame at 512 against 4.5-5.0 in the repeats).</li>
 *   <li>(session 10) SSSS from the mean of its two calibration visits, at the cores they used
 *       ({@link #ssssCalibration}, {@link #ssssCores}), not the cheaper visit at the host's
 *       capacity.</li>
 *   <li>(session 10) no edge placement faster than its fastest unthrottled calibration visit
 *       ({@link #fastestCalibration}); proposed in session 9 from sessions 7 and 8 (+1 fps point
 *       each), replayed on session 9's and 10's grids, which it had not seen: +3 and +4, best
 *       placement unchanged.</li>
 *   <li>(session 11) over a link slower than the calibration link each node pays per TCP segment it
 *       receives there what ESSS's unthrottled visit at that link before the grid used beyond its
 *       calibration pass ({@link GridLinkReceive}): the kept grids' ESSS under 0.25 cores at 100
 *       Mbit passed 80-109 fps (256) where the CPU sums said 147-177, its nodes spending about 27 us
 *       per segment received there that 1 Gbit does not cost; and ESSS no faster at that link than
 *       the visit ({@link GridLinkReceive#cap}). No kept run made that visit, so their replays are
 *       unchanged.</li>
 * </ul>
 */
final class GridModel {
  enum Version { OLD, NEW }

  /**
   * One visit the grid made before measuring: its label ("cal|EESS|0", "idle", "cal|SSSS", "ssss|2",
   * "cal|SSSS|paced"), fps, cores, and for a paced visit its median latency (NaN otherwise).
   */
  record Visit(String label, double fps, double edgeCores, double serverCores, double latencyMs) {
    Visit(String label, double fps, double edgeCores, double serverCores) {
      this(label, fps, edgeCores, serverCores, Double.NaN);
    }

    GridCpuFit.Visit cores() {
      return new GridCpuFit.Visit(fps, edgeCores, serverCores);
    }
  }

  /**
   * Everything one frame size's predictions need.
   *
   * @param source    the producer's work after the capture stamp (fitting the source's frame into the input), per size; may be empty
   * @param visits    the calibration, idle and SSSS visits
   * @param hostCores the host's cores (both nodes share them)
   */
  record Inputs(ProfileMeasurer.Measured m, int side, List<ProfileMeasurer.Compute> source, List<Visit> visits,
      int hostCores) {}

  /** The limit column of a prediction held to its placement's fastest calibration visit ({@link #capped}). */
  static final String CALIBRATION_LIMIT = "calibration visit (unthrottled, " + GridExperiment.CALIBRATION_LINK + ")";

  /**
   * The cores the all-server chain gets: what it used in its calibration visits
   * ({@link #ssssCalibration}), not the host's capacity ({@code capacity}, where it made none).
   * Its four JVMs on the server's two cores never used what the nodes used together in other
   * visits: 1.64-1.84 cores in its visits and repeats of every kept grid against a capacity of
   * 1.87-1.99 (a pipeline whose stages wait on each other leaves a core idle now and then), and
   * that capacity alone over-predicted SSSS by 8-15%.
   */
  static double ssssCores(Inputs in, double capacity) {
    return ssssCalibration(in).map(GridCpuFit.Visit::serverCores).filter(c -> c > 0).orElse(capacity);
  }

  /** SSSS's paced calibration visit: a lone frame's latency through the chain. */
  static final String PACED_SSSS = "cal|SSSS|paced";
  /** The same for EEEE (unthrottled, after the grid): the edge's JVMs walk a lone frame faster than the server's. */
  static final String PACED_EEEE = "paced|EEEE";
  /** The visits with (almost) no frames: what the JVMs burn anyway. */
  static final String IDLE = "idle";
  /**
   * The all-edge chain flat out under the grid's least quota ("throttled|EEEE|0.25|0"): with its
   * unthrottled visit, what an edge JVM in the chain burns besides its per-frame CPU ({@link GridCpuFit}).
   */
  static final String THROTTLED = "throttled";

  /** The testbed's shaper bucket at {@code bitsPerSec}: 1 ms of the link, at least two Ethernet frames (testbed LinkShaper). */
  static long testbedBurstBytes(double bitsPerSec) {
    return Math.max(2 * 1514L, (long) (bitsPerSec / 8 / 1000));
  }

  private GridModel() {}

  /** Every placement's prediction for one scenario (edge quota {@code cpu}, link {@code linkBps}). */
  static Map<String, Prediction> predict(Version v, Inputs in, double cpu, double linkBps) {
    return predict(v, in, cpu, linkBps, true);
  }

  /** The same; {@code loneFrame}: NEW adds a lone frame's extra walk to the latencies. */
  private static Map<String, Prediction> predict(Version v, Inputs in, double cpu, double linkBps, boolean loneFrame) {
    // the extra a chain spends under a quota only where the quota throttles: session 8's warm EEEE
    // rose as the quota fell (1.8-1.95 / 2.1-2.3 / 2.6-3.0 ms at 2 / 0.5 / 0.25 cores); charged at
    // 2 cores too it under-predicted EEEE there by 15-26% in session 9's grid (best 16 of 18; this way 17)
    GridCpuFit fit = fit(v, in, v == Version.NEW && cpu < hostCapacity(in));
    QuotaCpu quota = QuotaCpu.of(cpu);
    ProfileMeasurer.Measured m = in.m();
    List<ProfileMeasurer.Compute> server = new ArrayList<>();
    for (ProfileMeasurer.Compute c : m.compute()) {
      server.add(v == Version.NEW ? withSource(c, in.source()) : c);
    }
    List<ProfileMeasurer.Compute> compute = new ArrayList<>(server);
    for (ProfileMeasurer.Compute c : server) {
      compute.add(new ProfileMeasurer.Compute(c.stage(), Tier.EDGE, c.size(), quota.wallMs(c.medianMs()),
          quota.wallMs(c.p95Ms())));
    }
    List<ProfileMeasurer.ServiceCost> costs = new ArrayList<>();
    for (int i = 0; i < fit.services().size(); i++) {
      costs.add(new ProfileMeasurer.ServiceCost(fit.services().get(i), Tier.EDGE, in.side(), fit.edgeMs()[i],
          fit.backgroundPerJvm(Tier.EDGE)));
      costs.add(new ProfileMeasurer.ServiceCost(fit.services().get(i), Tier.SERVER, in.side(), fit.serverMs()[i],
          fit.backgroundPerJvm(Tier.SERVER)));
    }
    Profile profile = ProfileMeasurer.withCosts(m, compute, linkBps, costs, v == Version.NEW);
    GridLinkReceive rx = v == Version.NEW ? linkReceive(in, fit, linkBps) : GridLinkReceive.NONE;
    double capacity = v == Version.NEW ? hostCapacity(in) : in.hostCores();
    Map<String, Prediction> out = new LinkedHashMap<>();
    List<String> placements = new ArrayList<>(List.of(GridExperiment.ALL_SERVER));
    placements.addAll(GridExperiment.EDGE_PLACEMENTS);
    for (String p : placements) {
      double edgeStandby = fit.standbyCores(p, Tier.EDGE);
      double serverStandby = fit.standbyCores(p, Tier.SERVER);
      double nodes = v == Version.NEW && p.equals(GridExperiment.ALL_SERVER) ? ssssCores(in, capacity) : capacity;
      PlannerOptions o = PlannerOptions.defaults().withFrameSize(FrameSize.of(in.side(), in.side()))
          .withCores(quota.freeCores(edgeStandby), Math.max(QuotaCpu.MIN_FREE_CORES, nodes - serverStandby))
          .withHostCores(Math.max(QuotaCpu.MIN_FREE_CORES, nodes - edgeStandby - serverStandby));
      if (v == Version.NEW) {
        o = o.withWireApart(true).withLinkBurstBytes(testbedBurstBytes(linkBps))
            .withHopCpu(PlannerOptions.HopCpu.IN_NODE_BASIS);
      }
      Profile forP = rx.equals(GridLinkReceive.NONE) ? profile
          : ProfileMeasurer.withCosts(m, compute, linkBps, withReceive(costs, in, p, rx), true);
      Prediction predicted = new Planner(o).predict(forP, new Placement(p));
      double cap = v == Version.NEW ? Math.min(fastestCalibration(in, p), GridLinkReceive.cap(in.visits(), p, linkBps))
          : Double.POSITIVE_INFINITY;
      out.put(p, predicted.fps() > cap
          ? new Prediction(predicted.placement(), predicted.units(), predicted.latencyMs(), cap, predicted.limit())
          : predicted);
    }
    return v == Version.NEW && loneFrame ? withLoneFrame(out, in) : out;
  }

  /**
   * The most frames per second an edge placement passed in its unthrottled calibration visits
   * ("cal|P|..." at {@link GridExperiment#CALIBRATION_LINK}, the host's cores): no grid scenario
   * gives it more CPU or a faster link, so none lets it pass more (NEW holds each prediction to
   * this). The CPU sums alone over-predicted ESSS at 2 cores and 1 Gbit in every kept grid (256:
   * 646 / 801 / 769 / 714 fps predicted, 537 / 546 / 560 / 550 measured in sessions 7-10, its
   * calibration visits 441-572): the nodes used 1.3-1.7 of their 2 cores there, so something
   * other than CPU (a hop's window, most likely) limits it, and its calibration visit measures
   * that. Infinite for SSSS and where the run made no such visit.
   */
  static double fastestCalibration(Inputs in, String placement) {
    if (placement.equals(GridExperiment.ALL_SERVER)) {
      return Double.POSITIVE_INFINITY;
    }
    return in.visits().stream().filter(x -> x.label().startsWith("cal|" + placement + "|") && x.fps() > 0)
        .mapToDouble(Visit::fps).max().orElse(Double.POSITIVE_INFINITY);
  }

  /** Whether NEW's {@code prediction} of {@code placement} is its fastest calibration visit ({@link #fastestCalibration}). */
  static boolean capped(Inputs in, String placement, Prediction prediction) {
    return prediction.fps() == fastestCalibration(in, placement);
  }

  /**
   * The limit column of NEW's {@code prediction} at {@code linkBps}: a visit it is held to
   * ({@link #fastestCalibration}, {@link GridLinkReceive#cap}), else what the planner found.
   */
  static String limit(Inputs in, String placement, Prediction prediction, double linkBps) {
    if (capped(in, placement, prediction)) {
      return CALIBRATION_LIMIT;
    }
    return prediction.fps() == GridLinkReceive.cap(in.visits(), placement, linkBps)
        ? GridLinkReceive.limit(in.visits(), linkBps) : prediction.bottleneck();
  }

  /**
   * The predictions with a lone frame's extra walk added to their latency. On each node it is that
   * node's paced all-on-one-node visit less what the model predicts for it (SSSS's; EEEE's,
   * unthrottled at {@link GridExperiment#CALIBRATION_LINK}, where the run made one, else SSSS's),
   * never below 0; a placement with k of n services on the edge gets k/n of the edge's and the rest
   * of the server's (0 without SSSS's visit).
   */
  private static Map<String, Prediction> withLoneFrame(Map<String, Prediction> predicted, Inputs in) {
    double server = loneFrameExtra(in, PACED_SSSS, predicted.get(GridExperiment.ALL_SERVER), 0);
    String allEdge = GridExperiment.EDGE_PLACEMENTS.get(GridExperiment.EDGE_PLACEMENTS.size() - 1);
    double edge = server;
    if (pacedLatency(in, PACED_EEEE) > 0) {
      Prediction unthrottled = predict(Version.NEW, in, in.hostCores(),
          io.edgepipe.harness.measure.BitRate.parse(GridExperiment.CALIBRATION_LINK), false).get(allEdge);
      edge = loneFrameExtra(in, PACED_EEEE, unthrottled, server);
    }
    int n = allEdge.length();
    Map<String, Prediction> out = new LinkedHashMap<>();
    for (Map.Entry<String, Prediction> e : predicted.entrySet()) {
      Prediction x = e.getValue();
      long k = e.getKey().chars().filter(c -> c == 'E').count();
      double extra = server + (edge - server) * k / n;
      out.put(e.getKey(), new Prediction(x.placement(), x.units(), x.latencyMs() + extra, x.fps(), x.limit()));
    }
    return out;
  }

  /** A paced visit's latency less the model's for the same placement (at least 0); {@code fallback} without the visit. */
  private static double loneFrameExtra(Inputs in, String label, Prediction model, double fallback) {
    double paced = pacedLatency(in, label);
    return Double.isFinite(paced) ? Math.max(0, paced - model.latencyMs()) : fallback;
  }

  /** The median latency of the paced visit {@code label}; NaN where the run made none. */
  private static double pacedLatency(Inputs in, String label) {
    return in.visits().stream().filter(x -> x.label().equals(label)).mapToDouble(Visit::latencyMs)
        .filter(Double::isFinite).findFirst().orElse(Double.NaN);
  }

  /**
   * Each service's CPU per frame. Per edge placement the calibration pass with the least edge CPU
   * per frame counts (a JIT still compiling only adds CPU; the passes after the grid are on warm
   * JVMs). The all-server CPU: OLD from the median of SSSS's measured repeats, NEW from the mean of
   * SSSS's calibration visits ({@link #ssssCalibration}; the median repeat where a run has none). NEW also charges each
   * edge service what the all-edge chain used beyond that under the quota (the throttled visits)
   * and takes the least idle visit.
   */
  static GridCpuFit fit(Version v, Inputs in) {
    return fit(v, in, true);
  }

  /** The same; {@code throttledExtra} false: NEW leaves out what the chain spends beyond its unthrottled visit under a quota. */
  private static GridCpuFit fit(Version v, Inputs in, boolean throttledExtra) {
    List<String> services = ProfileMeasurer.services(in.m().base());
    List<GridCpuFit.Visit> edge = new ArrayList<>();
    for (String p : GridExperiment.EDGE_PLACEMENTS) {
      edge.add(leastCalibration(in, p).orElse(new GridCpuFit.Visit(0, Double.NaN, Double.NaN)));
    }
    GridCpuFit.Visit idle = v == Version.NEW ? leastIdle(in) : in.visits().stream()
        .filter(x -> x.label().equals(IDLE)).findFirst().map(Visit::cores).orElse(new GridCpuFit.Visit(0, 0, 0));
    GridCpuFit.Visit allServer = v == Version.NEW ? ssssCalibration(in).orElse(medianSsss(in)) : medianSsss(in);
    return v == Version.NEW
        ? GridCpuFit.fit(services, edge, idle, allServer, crossHopMs(in), throttledExtra ? throttled(in) : List.of())
        : GridCpuFit.fit(services, edge, idle, allServer, null);
  }

  /** The calibration pass of {@code placement} ("cal|P|...") with the least edge CPU per frame; empty without one. */
  static java.util.Optional<GridCpuFit.Visit> leastCalibration(Inputs in, String placement) {
    GridCpuFit.Visit least = null;
    for (Visit x : in.visits()) {
      if (x.label().startsWith("cal|" + placement + "|") && x.fps() > 0) {
        GridCpuFit.Visit c = x.cores();
        if (least == null || c.edgeCores() / c.fps() < least.edgeCores() / least.fps()) {
          least = c;
        }
      }
    }
    return java.util.Optional.ofNullable(least);
  }

  /**
   * What the nodes pay per segment received over the link at {@code linkBps} beyond the calibration
   * link ({@link GridLinkReceive}), from the run's ESSS visit there; none without it.
   */
  static GridLinkReceive linkReceive(Inputs in, GridCpuFit fit, double linkBps) {
    List<String> services = ProfileMeasurer.services(in.m().base());
    return GridLinkReceive.of(in.visits(), linkBps, leastCalibration(in, GridLinkReceive.PLACEMENT).orElse(null),
        fit.edgeIdle(), fit.serverIdle(), hopBytes(in, 0), hopBytes(in, services.size() - 1));
  }

  /**
   * The service costs of placement {@code p} (E^k S^(n-k)) with what its nodes pay for receiving
   * over the link: the server's first service (k) for hop k - 1, the edge's producer (the sink's
   * JVM) for the sink's hop. A node's services pass frames at its cores over their summed CPU, so
   * which service on the node carries it does not matter. SSSS and EEEE use no link.
   */
  private static List<ProfileMeasurer.ServiceCost> withReceive(List<ProfileMeasurer.ServiceCost> costs, Inputs in,
      String p, GridLinkReceive rx) {
    List<String> services = ProfileMeasurer.services(in.m().base());
    int n = services.size();
    int k = (int) p.chars().filter(c -> c == 'E').count();
    if (k == 0 || k == n) {
      return costs;
    }
    List<ProfileMeasurer.ServiceCost> out = new ArrayList<>();
    for (ProfileMeasurer.ServiceCost c : costs) {
      double extra = 0;
      if (c.tier() == Tier.SERVER && c.service().equals(services.get(k))) {
        extra = rx.serverMs(hopBytes(in, k - 1));
      } else if (c.tier() == Tier.EDGE && c.service().equals(services.get(0))) {
        extra = rx.edgeMs(hopBytes(in, n - 1));
      }
      out.add(extra == 0 ? c : new ProfileMeasurer.ServiceCost(c.service(), c.tier(), c.side(), c.cpuMsPerFrame() + extra,
          c.backgroundCores()));
    }
    return out;
  }

  /** Payload bytes of the hop leaving service {@code i} at this size (the profile's); 0 where it has none. */
  private static long hopBytes(Inputs in, int i) {
    String name = ProfileMeasurer.hopName(in.m().base(), i);
    return in.m().hops().stream().filter(h -> h.hop().equals(name) && h.size().equals(FrameSize.of(in.side(), in.side())))
        .mapToLong(ProfileMeasurer.Hop::bytes).findFirst().orElse(0);
  }

  /**
   * The visit with no frames that used the least CPU on both nodes together ("idle", and after the
   * grid "idle|late"): a JIT still compiling in the first one only adds CPU.
   */
  private static GridCpuFit.Visit leastIdle(Inputs in) {
    return in.visits().stream().filter(x -> x.label().equals(IDLE) || x.label().startsWith(IDLE + "|"))
        .map(Visit::cores).min(java.util.Comparator.comparingDouble(c -> finite(c.edgeCores()) + finite(c.serverCores())))
        .orElse(new GridCpuFit.Visit(0, 0, 0));
  }

  /** The all-edge chain's visits under the grid's least quota; none where the run made none (before session 8). */
  private static List<GridCpuFit.Visit> throttled(Inputs in) {
    return in.visits().stream().filter(x -> x.label().startsWith(THROTTLED + "|") && x.fps() > 0).map(Visit::cores)
        .toList();
  }

  /**
   * The cores the host gives the nodes' processes: the most they used together in any visit
   * before the grid ran flat out (at most the host's cores).
   */
  static double hostCapacity(Inputs in) {
    double most = 0;
    for (Visit x : in.visits()) {
      if (x.label().startsWith("cal|")) {
        double used = finite(x.edgeCores()) + finite(x.serverCores());
        most = Math.max(most, used);
      }
    }
    return most > 0 ? Math.min(in.hostCores(), most) : in.hostCores();
  }

  /** Socket CPU per frame (both ends) of the hop leaving each service, from the profile's loopback gRPC hops. */
  static double[] crossHopMs(Inputs in) {
    List<String> services = ProfileMeasurer.services(in.m().base());
    double[] ms = new double[services.size()];
    for (ProfileMeasurer.Hop h : in.m().hops()) {
      if (h.size().equals(FrameSize.of(in.side(), in.side())) && Double.isFinite(h.cpuMs())) {
        for (int i = 0; i < services.size(); i++) {
          if (h.hop().equals(ProfileMeasurer.hopName(in.m().base(), i))) {
            ms[i] = h.cpuMs();
          }
        }
      }
    }
    return ms;
  }

  /**
   * SSSS's flat-out calibration visits (the one before its repeats and, from session 9 on, one
   * after them) as one: the mean of their server CPU per frame, at the mean of the cores they
   * used. Both are warm since session 9 (a JIT-quiet warm-up comes first), so neither is the
   * right one: session 9's read 4.42 and 4.83 ms a frame at 512 around repeats at 5.0, session
   * 10's 2.13 and 2.27 at 256 around repeats at 2.14-2.42 (the cheaper of the two, counted until
   * session 10, over-predicted both sessions' SSSS by 16-28% with the host's capacity). Empty
   * where the run made neither.
   */
  static java.util.Optional<GridCpuFit.Visit> ssssCalibration(Inputs in) {
    List<GridCpuFit.Visit> v = in.visits().stream().filter(x -> x.label().equals(GridExperiment.CAL_SSSS)
        || x.label().equals(GridExperiment.CAL_SSSS_LATE)).filter(x -> x.fps() > 0).map(Visit::cores).toList();
    if (v.isEmpty()) {
      return java.util.Optional.empty();
    }
    double msPerFrame = v.stream().mapToDouble(c -> c.serverCores() / c.fps()).average().orElseThrow();
    double cores = v.stream().mapToDouble(GridCpuFit.Visit::serverCores).average().orElseThrow();
    return java.util.Optional.of(new GridCpuFit.Visit(cores / msPerFrame, 0, cores));
  }

  private static GridCpuFit.Visit medianSsss(Inputs in) {
    List<GridCpuFit.Visit> reps = new ArrayList<>();
    for (Visit x : in.visits()) {
      if (x.label().startsWith("ssss|")) {
        reps.add(x.cores());
      }
    }
    if (reps.isEmpty()) {
      return new GridCpuFit.Visit(0, Double.NaN, Double.NaN);
    }
    reps.sort(java.util.Comparator.comparingDouble(GridCpuFit.Visit::fps));
    return reps.get(reps.size() / 2);
  }

  /** The producer's compute with its source step (fitting the frame into the input) added. */
  private static ProfileMeasurer.Compute withSource(ProfileMeasurer.Compute c, List<ProfileMeasurer.Compute> source) {
    for (ProfileMeasurer.Compute s : source) {
      if (s.stage().equals(c.stage()) && s.size().equals(c.size())) {
        return new ProfileMeasurer.Compute(c.stage(), c.tier(), c.size(), c.medianMs() + s.medianMs(),
            c.p95Ms() + s.p95Ms());
      }
    }
    return c;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
