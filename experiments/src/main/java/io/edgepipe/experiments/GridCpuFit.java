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
 * <p>CPU per frame under a quota ({@link #fit(List, List, Visit, Visit, double[], List)}): the
 * unthrottled visits on warm JVMs are the cheapest way the chain runs, and the grid's points do not
 * run that way. In session 8's quiet grid the all-edge chain used 2.7-3.0 ms of edge CPU per frame
 * at 256x256 at 0.25, 0.5 and 2 cores alike (2 cores: 2.0-3.0 over nine visits), the same as its
 * two visits under the least quota after the grid (2.8-2.9 ms), while its warm unthrottled visit read
 * 1.9 ms; EESS and EEES also ran 0.2-0.4 ms a frame over their warm unthrottled visits. A CPU cost
 * that does not depend on the rate (session 8's busy background, fitted through the unthrottled and
 * the throttled visit) predicted 226 fps at 0.5 cores where 164-181 were measured. Here the all-edge
 * chain under the quota gives its CPU per frame (the median of the throttled visits), and what it
 * used beyond the unthrottled visit is charged evenly to each service on the edge: {@link #edgeExtraMs}.
 *
 * @param serverIdle   cores the server's stage instances used with no frames
 * @param edgeExtraMs  CPU ms per frame that each service on the edge uses beyond its unthrottled share, as the
 *                     all-edge chain shows under a quota (included in {@code edgeMs}; 0 without such a visit)
 */
record GridCpuFit(List<String> services, double[] edgeMs, double[] serverMs, double edgeIdle, double serverIdle,
    double edgeExtraMs) {
  /** A node's cores and frames per second in one visit. */
  record Visit(double fps, double edgeCores, double serverCores) {}

  /** Without a throttled visit: each service's CPU per frame as the unthrottled visits show it. */
  GridCpuFit(List<String> services, double[] edgeMs, double[] serverMs, double edgeIdle, double serverIdle) {
    this(services, edgeMs, serverMs, edgeIdle, serverIdle, 0);
  }

  /**
   * A throttled visit must run clearly slower than the unthrottled one to tell how the chain runs
   * under a quota (a quota that did not bind tells nothing).
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
   * The same with each edge service charged what the all-edge chain (E^n) used per frame under a
   * quota beyond its unthrottled visit ({@link #edgeExtraMs}); {@code throttled}: its visits under
   * the quota, empty (or none at least {@value #LEAST_RATE_RATIO} times slower than the unthrottled
   * E^n) for none.
   */
  static GridCpuFit fit(List<String> services, List<Visit> edgeVisits, Visit idle, Visit allServer,
      double[] crossHopMs, List<Visit> throttled) {
    int n = services.size();
    if (edgeVisits.size() != n) {
      throw new IllegalArgumentException("one visit per edge placement: " + n + " expected, got " + edgeVisits.size());
    }
    double edgeIdle = finite(idle.edgeCores());
    double serverIdle = finite(idle.serverCores());
    double[] edge = new double[n + 1]; // edge CPU ms per frame with k services on the edge
    double[] server = new double[n + 1];
    for (int k = 1; k <= n; k++) {
      Visit v = edgeVisits.get(k - 1);
      edge[k] = perFrameMs(v.edgeCores(), edgeIdle, v.fps()); // every stage instance is on the edge: n JVMs
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
    // against the all-edge chain as the model has it (a difference counted as 0 included), so that the chain
    // under the throttled visits' quota passes what they passed
    double extra = extraPerServiceMs(edgeVisits.get(n - 1), java.util.Arrays.stream(edgeMs).sum(),
        throttled == null ? List.of() : throttled, edgeIdle, n);
    for (int i = 0; i < n; i++) {
      edgeMs[i] += extra;
    }
    return new GridCpuFit(List.copyOf(services), edgeMs, serverMs, edgeIdle, serverIdle, extra);
  }

  /**
   * What each of the n edge services uses per frame under a quota beyond its unthrottled share:
   * the median CPU per frame of the all-edge chain's throttled visits (less the JVMs' idle
   * background) less {@code unthrottledMs} (the unthrottled E^n's, summed over its services), split n
   * ways; at least 0, and 0 where no throttled visit ran clearly slower than {@code unthrottled}.
   */
  static double extraPerServiceMs(Visit unthrottled, double unthrottledMs, List<Visit> throttled, double idleCores,
      int n) {
    List<Double> perFrame = new ArrayList<>();
    for (Visit t : throttled) {
      if (t.fps() > 0 && unthrottled.fps() >= LEAST_RATE_RATIO * t.fps() && Double.isFinite(t.edgeCores())) {
        perFrame.add(perFrameMs(t.edgeCores(), idleCores, t.fps()));
      }
    }
    if (perFrame.isEmpty() || !(unthrottledMs > 0)) {
      return 0;
    }
    java.util.Collections.sort(perFrame);
    int m = perFrame.size();
    double median = m % 2 == 1 ? perFrame.get(m / 2) : (perFrame.get(m / 2 - 1) + perFrame.get(m / 2)) / 2;
    return Math.max(0, median - unthrottledMs) / n;
  }

  /** CPU ms per frame of a node that used {@code cores} at {@code fps}, less its JVMs' {@code idle} cores. */
  static double perFrameMs(double cores, double idle, double fps) {
    return fps > 0 && Double.isFinite(cores) ? Math.max(0, cores - idle) / fps * 1e3 : 0;
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? Math.max(0, v) : 0;
  }

  /** Background cores of one JVM in the chain on {@code tier}: what it burns with no frames. */
  double backgroundPerJvm(Tier tier) {
    return idlePerJvm(tier);
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
