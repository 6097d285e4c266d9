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

  /** The all-edge chain at {@code fps} when each of its services uses {@code extra} ms per frame more than unthrottled. */
  private static GridCpuFit.Visit throttledVisit(double fps, double extra) {
    GridCpuFit.Visit v = visit(SERVICES.size(), fps);
    return new GridCpuFit.Visit(fps, v.edgeCores() + SERVICES.size() * extra * fps / 1e3, v.serverCores());
  }

  @Test
  void theAllEdgeChainUnderAQuotaChargesEachEdgeServiceWhatItUsedBeyondItsUnthrottledVisit() {
    List<GridCpuFit.Visit> visits = List.of(visit(1, 300), visit(2, 200), visit(3, 250), visit(4, 400));
    GridCpuFit.Visit idle = new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE);
    // two visits under a quota, 0.25 and 0.35 ms a frame over the unthrottled share per service: the median counts
    List<GridCpuFit.Visit> throttled = List.of(throttledVisit(100, 0.25), throttledVisit(110, 0.35));
    GridCpuFit fit = GridCpuFit.fit(SERVICES, visits, idle, visit(0, 500), null, throttled);
    assertEquals(0.3, fit.edgeExtraMs(), 1e-9);
    for (int i = 0; i < SERVICES.size(); i++) {
      assertEquals(EDGE[i] + 0.3, fit.edgeMs()[i], 1e-9, SERVICES.get(i));
    }
    assertArrayEquals(SERVER, fit.serverMs(), 1e-9); // the server is not throttled
    assertEquals(EDGE_IDLE / 4, fit.backgroundPerJvm(Tier.EDGE), 1e-12); // no rate-independent part: the idle share
    // the all-edge chain's CPU per frame is then what the throttled visits used (their median)
    double sum = java.util.Arrays.stream(fit.edgeMs()).sum();
    double measured = (throttled.get(0).edgeCores() - EDGE_IDLE) / 100 * 1e3;
    double measured2 = (throttled.get(1).edgeCores() - EDGE_IDLE) / 110 * 1e3;
    assertEquals((measured + measured2) / 2, sum, 1e-9);
    // without a throttled visit each service keeps its unthrottled share
    assertArrayEquals(EDGE, GridCpuFit.fit(SERVICES, visits, idle, visit(0, 500), null, List.of()).edgeMs(), 1e-9);
  }

  @Test
  void aThrottledVisitThatRanAlmostAsFastOrCheaperTellsNothing() {
    List<GridCpuFit.Visit> visits = List.of(visit(1, 300), visit(2, 200), visit(3, 250), visit(4, 400));
    GridCpuFit.Visit idle = new GridCpuFit.Visit(1, EDGE_IDLE, SERVER_IDLE);
    // the quota did not bind: 300 fps against 400
    GridCpuFit fit = GridCpuFit.fit(SERVICES, visits, idle, visit(0, 500), null, List.of(throttledVisit(300, 0.5)));
    assertEquals(0, fit.edgeExtraMs(), 1e-12);
    assertArrayEquals(EDGE, fit.edgeMs(), 1e-9);
    // cheaper under the quota than unthrottled: no negative extra
    fit = GridCpuFit.fit(SERVICES, visits, idle, visit(0, 500), null, List.of(throttledVisit(100, -0.1)));
    assertEquals(0, fit.edgeExtraMs(), 1e-12);
    assertArrayEquals(EDGE, fit.edgeMs(), 1e-9);
  }
}
