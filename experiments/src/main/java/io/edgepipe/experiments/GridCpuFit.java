package io.edgepipe.experiments;

import io.edgepipe.api.Tier;
import java.util.ArrayList;
import java.util.List;

/**
 * Each service's CPU per frame on each node of the testbed, from visits the grid makes before
 * it measures anything: one unthrottled visit per edge placement E^k S^(n-k) (frames as fast as
 * the chain goes, each node's CPU read from its processes), a visit with almost no frames (what
 * the JVMs burn anyway: their background), and the all-server chain's own run.
 *
 * <p>A node's CPU per frame in a visit is (its cores less its background) / fps. Moving the k-th
 * service from the server to the edge adds its CPU to the edge and takes it from the server, so
 * service k's cost on the edge is edge(E^(k+1)) - edge(E^k) and on the server server(E^k) -
 * server(E^(k+1)) (edge(E^0) = server(E^n) = 0, server(E^0) from the all-server run): each
 * service's own work plus its share of the hops it sends and receives, everything a running
 * chain spends (decoding the source, the sink's bookkeeping), which the in-process compute of the
 * layers alone leaves out. The background is split evenly over the node's JVMs.
 *
 * <p>Hop kinds ({@link #fit(List, List, Visit, Visit, double[])}): every visit but EEEE and SSSS
 * has two hops over the link (socket) and the others in a node (a shared-memory slot), and a
 * socket hop costs much more CPU per byte. Differences between placements then charge a
 * service with the change of hop kind at its ends: at 512x512 EEEE used less edge CPU than EEES
 * (relu's 1 MiB over a socket cost more than maxpool's whole work), and maxpool's edge cost came
 * out negative. Given each hop's socket CPU (both ends, measured over loopback gRPC), the fit
 * first takes the cross-node hops out of each visit (half at each end), so each service's cost
 * is for in-node hops ({@link io.edgepipe.planner.predict.PlannerOptions.HopCpu#IN_NODE_BASIS}).
 *
 * @param services     producer first, then the stages
 * @param edgeMs       CPU ms per frame of each service on the edge
 * @param serverMs     the same on the server
 * @param edgeIdle     cores all the edge's JVMs used with no frames (the producer and one instance of every stage)
 * <p>Busy background ({@link #fit(List, List, Visit, Visit, double[], Visit)}): an edge JVM that
 * carries frames burns more CPU besides its per-frame work than one that idles. In session 7's
 * quiet grid the all-edge chain used 0.07 cores more under a 0.25- or 0.5-core quota than its
 * unthrottled CPU per frame times its rate (256 and 512 frames alike), so a quota passed 25-30%
 * fewer frames than (quota - idle background) / CPU per frame. One more visit of the all-edge
 * chain under a quota (beside its unthrottled one) separates the two: the same JVMs at two rates
 * give the per-frame CPU (the slope) and their rate-independent CPU (the rest), which, split over
 * the chain's JVMs, is each busy JVM's background; standbys keep the idle one.
 *
 * @param serverIdle   cores the server's stage instances used with no frames
 * @param edgeBusyPerJvm cores one edge JVM in the chain burns besides its per-frame CPU (at least its idle share)
 */
record GridCpuFit(List<String> services, double[] edgeMs, double[] serverMs, double edgeIdle, double serverIdle,
    double edgeBusyPerJvm) {
  /** A node's cores and frames per second in one visit. */
  record Visit(double fps, double edgeCores, double serverCores) {}

  /** Without a throttled visit: an edge JVM in the chain burns what an idle one does. */
  GridCpuFit(List<String> services, double[] edgeMs, double[] serverMs, double edgeIdle, double serverIdle) {
    this(services, edgeMs, serverMs, edgeIdle, serverIdle, edgeIdle / services.size());
  }

  /**
   * The throttled visit must run clearly slower than the unthrottled one for the two rates to
   * separate per-frame CPU from background (a quota that did not bind tells nothing).
   */
  static final double LEAST_RATE_RATIO = 1.5;

  /**
   * @param edgeVisits   per k = 1..n the visit of E^k S^(n-k) (index k - 1)
   * @param allServer    the all-server chain's visit (its server cores: the producer and every stage)
   */
  static GridCpuFit fit(List<String> services, List<Visit> edgeVisits, Visit idle, Visit allServer) {
    return fit(services, edgeVisits, idle, allServer, null);
  }

  /**
   * The same on an in-node basis: {@code crossHopMs[i]} is the socket CPU (both ends) of the hop
   * leaving service i (the last: to the sink), taken out of each visit where that hop crosses the
   * link, half on each node; null leaves the hops as they were in each visit.
   */
  static GridCpuFit fit(List<String> services, List<Visit> edgeVisits, Visit idle, Visit allServer,
      double[] crossHopMs) {
    return fit(services, edgeVisits, idle, allServer, crossHopMs, null);
  }

  /**
   * The same with each edge JVM in the chain charged its busy background, from {@code throttled}:
   * the all-edge chain (E^n) under a quota; null (or a visit whose rate is not at least
   * {@value #LEAST_RATE_RATIO} times lower than the unthrottled E^n's) charges the idle one.
   */
  static GridCpuFit fit(List<String> services, List<Visit> edgeVisits, Visit idle, Visit allServer,
      double[] crossHopMs, Visit throttled) {
    int n = services.size();
    if (edgeVisits.size() != n) {
      throw new IllegalArgumentException("one visit per edge placement: " + n + " expected, got " + edgeVisits.size());
    }
    double edgeIdle = finite(idle.edgeCores());
    double serverIdle = finite(idle.serverCores());
    double idlePerJvm = edgeIdle / n;
    double busyPerJvm = Math.max(idlePerJvm, busyPerJvm(edgeVisits.get(n - 1), throttled, n, idlePerJvm));
    double[] edge = new double[n + 1]; // edge CPU ms per frame with k services on the edge
    double[] server = new double[n + 1];
    for (int k = 1; k <= n; k++) {
      Visit v = edgeVisits.get(k - 1);
      // k JVMs carry frames, the other n - k idle as standbys
      edge[k] = perFrameMs(v.edgeCores(), k * busyPerJvm + (n - k) * idlePerJvm, v.fps());
      server[k] = k == n ? 0 : perFrameMs(v.serverCores(), serverIdle, v.fps());
      if (crossHopMs != null && k < n) {
        // E^k S^(n-k) sends hop k-1 and the sink's hop over the link: half of each on either node
        double socket = (crossHopMs[k - 1] + crossHopMs[n - 1]) / 2;
        edge[k] -= socket;
        server[k] -= socket;
      }
    }
    // the all-server chain has the producer on the server too: one JVM more than the stage instances
    server[0] = perFrameMs(allServer.serverCores(), serverIdle * n / Math.max(1, n - 1), allServer.fps());
    double[] edgeMs = new double[n];
    double[] serverMs = new double[n];
    for (int i = 0; i < n; i++) {
      edgeMs[i] = Math.max(0, edge[i + 1] - edge[i]);
      serverMs[i] = Math.max(0, server[i] - server[i + 1]);
    }
    return new GridCpuFit(List.copyOf(services), edgeMs, serverMs, edgeIdle, serverIdle, busyPerJvm);
  }

  /**
   * One edge JVM's rate-independent CPU while the chain runs: the same n JVMs (E^n) at two rates,
   * cores = n b + fps c, solved for b; {@code fallback} where the two rates do not separate.
   */
  static double busyPerJvm(Visit unthrottled, Visit throttled, int n, double fallback) {
    if (throttled == null || !(throttled.fps() > 0) || !(unthrottled.fps() >= LEAST_RATE_RATIO * throttled.fps())
        || !Double.isFinite(unthrottled.edgeCores()) || !Double.isFinite(throttled.edgeCores())) {
      return fallback;
    }
    double perFrame = (unthrottled.edgeCores() - throttled.edgeCores()) / (unthrottled.fps() - throttled.fps());
    return (throttled.edgeCores() - throttled.fps() * perFrame) / n;
  }

  private static double perFrameMs(double cores, double idle, double fps) {
    return fps > 0 && Double.isFinite(cores) ? Math.max(0, cores - idle) / fps * 1e3 : 0;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? Math.max(0, v) : 0;
  }

  /** Background cores of one JVM in the chain on {@code tier} (on the edge: its busy background). */
  double backgroundPerJvm(Tier tier) {
    return tier == Tier.EDGE ? edgeBusyPerJvm : idlePerJvm(tier);
  }

  /** Background cores of one idle JVM (a standby) on {@code tier}. */
  double idlePerJvm(Tier tier) {
    int n = services.size();
    return tier == Tier.EDGE ? edgeIdle / n : serverIdle / Math.max(1, n - 1);
  }

  /**
   * Cores the grid's idle instances (standbys, not in the chain of {@code placement}) burn on
   * {@code tier}: with k services on the edge, n - k stage instances idle there and k - 1 on the
   * server; the all-server chain runs without standbys.
   */
  double standbyCores(String placement, Tier tier) {
    int k = (int) placement.chars().filter(c -> c == 'E').count();
    if (k == 0) {
      return 0;
    }
    int idle = tier == Tier.EDGE ? services.size() - k : k - 1;
    return idle * idlePerJvm(tier);
  }

  /** Rows for the CSV: side, tier, service, ms per frame, background cores. */
  List<Object[]> rows(int side) {
    List<Object[]> out = new ArrayList<>();
    for (Tier t : List.of(Tier.EDGE, Tier.SERVER)) {
      double[] ms = t == Tier.EDGE ? edgeMs : serverMs;
      for (int i = 0; i < services.size(); i++) {
        out.add(new Object[] {side, t.name().toLowerCase(java.util.Locale.ROOT), services.get(i), ms[i],
            backgroundPerJvm(t)});
      }
    }
    return out;
  }
}
