package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-service CPU from one visit per edge placement: differences between placements. */
class GridCpuFitTest {
  private static final List<String> SERVICES = List.of("producer", "conv", "relu", "maxpool");
  // a made-up chain: CPU ms per frame of each service on the edge and on the server
  private static final double[] EDGE = {1.0, 0.6, 0.3, 0.2};
  private static final double[] SERVER = {0.8, 0.5, 0.25, 0.15};
  private static final double EDGE_IDLE = 0.04;
  private static final double SERVER_IDLE = 0.03;

  /** The visit a chain of these costs would show with k services on the edge at {@code fps}. */
  private static GridCpuFit.Visit visit(int k, double fps) {
    double edge = 0;
    double server = 0;
    for (int i = 0; i < SERVICES.size(); i++) {
      if (i < k) {
        edge += EDGE[i];
      } else {
        server += SERVER[i];
      }
    }
    double serverIdle = k == 0 ? SERVER_IDLE * 4 / 3 : SERVER_IDLE; // the all-server run has the producer too
    return new GridCpuFit.Visit(fps, (k == 0 ? 0 : EDGE_IDLE) + edge * fps / 1e3, serverIdle + server * fps / 1e3);
  }

  @Test
  void recoversEachServicesCostOnBothNodes() {
    GridCpuFit fit = GridCpuFit.fit(SERVICES, List.of(visit(1, 300), visit(2, 200), visit(3, 250), visit(4, 400)),
        new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE), visit(0, 500));
    assertArrayEquals(EDGE, fit.edgeMs(), 1e-9);
    assertArrayEquals(SERVER, fit.serverMs(), 1e-9);
    assertEquals(EDGE_IDLE / 4, fit.backgroundPerJvm(Tier.EDGE), 1e-12);
    assertEquals(SERVER_IDLE / 3, fit.backgroundPerJvm(Tier.SERVER), 1e-12);
  }

  @Test
  void standbysIdleWhereTheChainIsNot() {
    GridCpuFit fit = new GridCpuFit(SERVICES, EDGE, SERVER, 0.04, 0.03);
    // ESSS: three stage instances idle on the edge, none on the server
    assertEquals(0.03, fit.standbyCores("ESSS", Tier.EDGE), 1e-12);
    assertEquals(0, fit.standbyCores("ESSS", Tier.SERVER), 1e-12);
    // EEEE: the server's three instances idle
    assertEquals(0, fit.standbyCores("EEEE", Tier.EDGE), 1e-12);
    assertEquals(0.03, fit.standbyCores("EEEE", Tier.SERVER), 1e-12);
    // SSSS runs without standbys
    assertEquals(0, fit.standbyCores("SSSS", Tier.EDGE), 1e-12);
  }

  @Test
  void noiseThatMakesADifferenceNegativeCountsAsNoCost() {
    // EESS measured cheaper on the edge than ESSS: conv's edge cost is 0, not negative
    GridCpuFit fit = GridCpuFit.fit(SERVICES, List.of(new GridCpuFit.Visit(100, 0.2, 0.1),
        new GridCpuFit.Visit(100, 0.19, 0.08), new GridCpuFit.Visit(100, 0.25, 0.05), new GridCpuFit.Visit(100, 0.3, 0)),
        new GridCpuFit.Visit(1, 0, 0), new GridCpuFit.Visit(100, 0, 0.2));
    assertEquals(0, fit.edgeMs()[1], 1e-12);
    assertEquals(2, fit.edgeMs()[0], 1e-9);
  }

  /** Socket CPU (both ends) of the hop leaving each service; the last one returns to the sink. */
  private static final double[] SOCKET = {0.4, 1.6, 1.6, 0.4};

  /** The visit with k services on the edge when each hop over the link costs its socket CPU, half on each node. */
  private static GridCpuFit.Visit socketVisit(int k, double fps) {
    GridCpuFit.Visit v = visit(k, fps);
    int n = SERVICES.size();
    double socket = k > 0 && k < n ? (SOCKET[k - 1] + SOCKET[n - 1]) / 2 : 0;
    return new GridCpuFit.Visit(fps, v.edgeCores() + (k == 0 ? 0 : socket * fps / 1e3), v.serverCores() + socket * fps / 1e3);
  }

  @Test
  void onAnInNodeBasisTheHopsOverTheLinkAreTakenOutBeforeTheDifferences() {
    List<GridCpuFit.Visit> visits = List.of(socketVisit(1, 300), socketVisit(2, 200), socketVisit(3, 250),
        socketVisit(4, 400));
    GridCpuFit fit = GridCpuFit.fit(SERVICES, visits, new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE), visit(0, 500),
        SOCKET);
    assertArrayEquals(EDGE, fit.edgeMs(), 1e-9);
    assertArrayEquals(SERVER, fit.serverMs(), 1e-9);
    // as measured, maxpool's edge cost is EEEE less EEES: its work less relu's socket send and the sink's socket
    // receive, negative here, so 0
    GridCpuFit asMeasured = GridCpuFit.fit(SERVICES, visits, new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE),
        visit(0, 500));
    assertEquals(0, asMeasured.edgeMs()[3], 1e-12);
  }

  /** The visit with k services on the edge when each edge JVM in the chain burns {@code busy} cores, a standby its idle share. */
  private static GridCpuFit.Visit busyVisit(int k, double fps, double busy) {
    GridCpuFit.Visit v = visit(k, fps);
    double idlePerJvm = EDGE_IDLE / SERVICES.size();
    return new GridCpuFit.Visit(fps, v.edgeCores() - EDGE_IDLE + k * busy + (SERVICES.size() - k) * idlePerJvm,
        v.serverCores());
  }

  @Test
  void aThrottledVisitOfTheAllEdgeChainSeparatesItsBusyBackgroundFromItsCpuPerFrame() {
    double busy = 0.02; // twice the idle share (0.01), as the all-edge chain showed under a quota in session 7's grid
    List<GridCpuFit.Visit> visits = List.of(busyVisit(1, 300, busy), busyVisit(2, 200, busy), busyVisit(3, 250, busy),
        busyVisit(4, 400, busy));
    GridCpuFit.Visit idle = new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE);
    GridCpuFit.Visit throttled = busyVisit(4, 100, busy); // the same chain held to a quarter of the rate
    GridCpuFit fit = GridCpuFit.fit(SERVICES, visits, idle, visit(0, 500), null, throttled);
    assertEquals(busy, fit.edgeBusyPerJvm(), 1e-9);
    assertEquals(busy, fit.backgroundPerJvm(Tier.EDGE), 1e-9);
    assertArrayEquals(EDGE, fit.edgeMs(), 1e-9);
    // standbys still idle at the idle share: ESSS has three on the edge
    assertEquals(3 * EDGE_IDLE / 4, fit.standbyCores("ESSS", Tier.EDGE), 1e-12);
    // without the throttled visit the busy background lands in the CPU per frame (here EEEE's maxpool)
    GridCpuFit idleOnly = GridCpuFit.fit(SERVICES, visits, idle, visit(0, 500), null, null);
    assertEquals(EDGE_IDLE / 4, idleOnly.edgeBusyPerJvm(), 1e-12);
    assertEquals(EDGE[3] + 4 * (busy - EDGE_IDLE / 4) / 400 * 1e3 - 3 * (busy - EDGE_IDLE / 4) / 250 * 1e3,
        idleOnly.edgeMs()[3], 1e-9);
  }

  @Test
  void aThrottledVisitThatRanAlmostAsFastTellsNothing() {
    List<GridCpuFit.Visit> visits = List.of(visit(1, 300), visit(2, 200), visit(3, 250), visit(4, 400));
    // the quota did not bind: 300 fps against 400, too close to separate the two terms from noise
    GridCpuFit fit = GridCpuFit.fit(SERVICES, visits, new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE), visit(0, 500),
        null, new GridCpuFit.Visit(300, 0.9, 0.03));
    assertEquals(EDGE_IDLE / 4, fit.edgeBusyPerJvm(), 1e-12);
    assertArrayEquals(EDGE, fit.edgeMs(), 1e-9);
  }
}
