package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.planner.predict.Limit;
import io.edgepipe.planner.predict.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node's CPU per segment received over a slow link, from ESSS's visit there before the grid. */
class GridLinkReceiveTest {
  private static final double EDGE_IDLE = 0.013;
  private static final double SERVER_IDLE = 0.01;
  // ESSS's calibration pass at 1 Gbit: 520 fps, 0.55 edge cores, 0.8 server cores (GridReplayTest.inputs())
  private static final GridCpuFit.Visit CALIBRATION = new GridCpuFit.Visit(520, 0.55, 0.8);

  private static double perFrameMs(double cores, double idle, double fps) {
    return (cores - idle) / fps * 1e3;
  }

  @Test
  void eachNodesExtraCpuPerFrameOverTheSegmentsItReceives() {
    // ESSS at 100 Mbit: 150 fps (the link's limit) with 0.5 edge and 0.6 server cores
    List<GridModel.Visit> visits = List.of(new GridModel.Visit(GridLinkReceive.label("100mbit"), 150, 0.5, 0.6));
    GridLinkReceive rx = GridLinkReceive.of(visits, 100e6, CALIBRATION, EDGE_IDLE, SERVER_IDLE, 65536, 262144);
    double edge = perFrameMs(0.5, EDGE_IDLE, 150) - perFrameMs(0.55, EDGE_IDLE, 520);
    double server = perFrameMs(0.6, SERVER_IDLE, 150) - perFrameMs(0.8, SERVER_IDLE, 520);
    // the edge receives the sink's hop (262144 bytes: 182 segments), the server the producer's (65536: 46)
    assertEquals(edge / 182, rx.edgeMsPerSegment(), 1e-12);
    assertEquals(server / 46, rx.serverMsPerSegment(), 1e-12);
    assertEquals(edge / 182 * 46, rx.edgeMs(65536), 1e-12);
    assertEquals(server / 46 * 182, rx.serverMs(262144), 1e-12);
    // another link, or none: nothing
    assertEquals(GridLinkReceive.NONE, GridLinkReceive.of(visits, 10e6, CALIBRATION, EDGE_IDLE, SERVER_IDLE, 65536,
        262144));
    assertEquals(GridLinkReceive.NONE, GridLinkReceive.of(List.of(), 100e6, CALIBRATION, EDGE_IDLE, SERVER_IDLE, 65536,
        262144));
    assertEquals(GridLinkReceive.NONE, GridLinkReceive.of(visits, 100e6, null, EDGE_IDLE, SERVER_IDLE, 65536, 262144));
  }

  @Test
  void aVisitCheaperThanTheCalibrationPassCostsNothing() {
    List<GridModel.Visit> visits = List.of(new GridModel.Visit(GridLinkReceive.label("10mbit"), 17, 0.005, 0.5));
    GridLinkReceive rx = GridLinkReceive.of(visits, 10e6, CALIBRATION, EDGE_IDLE, SERVER_IDLE, 65536, 65536);
    assertEquals(0, rx.edgeMsPerSegment(), 1e-12);
    assertTrue(rx.serverMsPerSegment() > 0);
  }

  @Test
  void segmentsAndTheLinksSlowerThanTheCalibrationLink() {
    assertEquals(0, GridLinkReceive.segments(0));
    assertEquals(1, GridLinkReceive.segments(1448));
    assertEquals(2, GridLinkReceive.segments(1449));
    assertEquals(46, GridLinkReceive.segments(65536));
    assertEquals(List.of("10mbit", "100mbit"), GridLinkReceive.slowLinks(List.of("10mbit", "100mbit", "1gbit")));
    // the visit's label is not a calibration pass: it must not count as ESSS's CPU at the calibration link
    assertTrue(!GridLinkReceive.label("100mbit").startsWith("cal|"));
  }

  @Test
  void theModelChargesTheReceiversOfThePlacementsHopsOverThatLinkOnly() {
    GridModel.Inputs before = GridReplayTest.inputs();
    List<GridModel.Visit> visits = new ArrayList<>(before.visits());
    visits.add(new GridModel.Visit(GridLinkReceive.label("100mbit"), 150, 0.5, 0.9));
    GridModel.Inputs after = new GridModel.Inputs(before.m(), before.side(), before.source(), visits,
        before.hostCores());
    GridCpuFit fit = GridModel.fit(GridModel.Version.NEW, after);
    GridLinkReceive rx = GridModel.linkReceive(after, fit, 100e6);
    assertTrue(rx.edgeMsPerSegment() > 0 && rx.serverMsPerSegment() > 0, rx.toString());

    // ESSS under 0.1 cores is held by the edge's CPU: the sink's hop (65536 bytes) now costs the edge more a frame
    Map<String, Prediction> without = GridModel.predict(GridModel.Version.NEW, before, 0.1, 100e6);
    Map<String, Prediction> with = GridModel.predict(GridModel.Version.NEW, after, 0.1, 100e6);
    assertEquals(Limit.Kind.NODE_CPU, without.get("ESSS").limit().kind());
    assertEquals(Limit.Kind.NODE_CPU, with.get("ESSS").limit().kind());
    // the edge passes its free cores over its CPU per frame: that CPU grew by exactly the extra
    double free = 0.1 - fit.edgeIdle(); // the producer's JVM and the three idle stage instances
    double grew = free * 1e3 / with.get("ESSS").fps() - free * 1e3 / without.get("ESSS").fps();
    assertEquals(rx.edgeMs(65536), grew, 1e-9);
    // neither SSSS nor EEEE uses the link
    for (String p : List.of("SSSS", "EEEE")) {
      assertEquals(without.get(p).fps(), with.get(p).fps(), 1e-9, p);
    }
    // the calibration link and a link the run made no such visit at are as before
    for (double link : new double[] {1e9, 10e6}) {
      Map<String, Prediction> a = GridModel.predict(GridModel.Version.NEW, before, 0.25, link);
      Map<String, Prediction> b = GridModel.predict(GridModel.Version.NEW, after, 0.25, link);
      for (String p : GridExperiment.placementsOf()) {
        assertEquals(a.get(p).fps(), b.get(p).fps(), 1e-9, p + " at " + link);
      }
    }
    // the old model knows nothing of it
    assertEquals(GridModel.predict(GridModel.Version.OLD, before, 0.25, 100e6).get("ESSS").fps(),
        GridModel.predict(GridModel.Version.OLD, after, 0.25, 100e6).get("ESSS").fps(), 1e-9);
  }

  @Test
  void theServerPaysForTheHopItReceivesInEachPlacement() {
    GridModel.Inputs before = GridReplayTest.inputs();
    List<GridModel.Visit> visits = new ArrayList<>(before.visits());
    // a costly receive on the server: 1.7 server cores at 150 fps over 100 Mbit
    visits.add(new GridModel.Visit(GridLinkReceive.label("100mbit"), 150, 0.2, 1.7));
    GridModel.Inputs after = new GridModel.Inputs(before.m(), before.side(), before.source(), visits,
        before.hostCores());
    GridLinkReceive rx = GridModel.linkReceive(after, GridModel.fit(GridModel.Version.NEW, after), 100e6);
    // EESS's server receives conv->relu (262144 bytes, 182 segments), four times ESSS's 46: its server CPU limits it
    Prediction eess = GridModel.predict(GridModel.Version.NEW, after, 2, 100e6).get("EESS");
    Prediction eessBefore = GridModel.predict(GridModel.Version.NEW, before, 2, 100e6).get("EESS");
    assertNotEquals(eessBefore.fps(), eess.fps(), 1e-6);
    assertTrue(eess.fps() < eessBefore.fps());
    assertTrue(eess.limit().kind() == Limit.Kind.NODE_CPU || eess.limit().kind() == Limit.Kind.HOST_CPU,
        eess.limit().toString());
    assertEquals(rx.serverMsPerSegment() * 182, rx.serverMs(262144), 1e-12);
  }

  @Test
  void esssIsNoFasterAtASlowLinkThanItsVisitThereOrAtAFasterOne() {
    GridModel.Inputs before = GridReplayTest.inputs(); // ESSS's calibration passes at 1 Gbit: 500 and 520 fps
    List<GridModel.Visit> visits = new ArrayList<>(before.visits());
    visits.add(new GridModel.Visit(GridLinkReceive.label("100mbit"), 150, 0.3, 0.4));
    GridModel.Inputs after = new GridModel.Inputs(before.m(), before.side(), before.source(), visits,
        before.hostCores());
    assertEquals(150, GridLinkReceive.cap(visits, "ESSS", 100e6), 1e-12);
    assertEquals(150, GridLinkReceive.cap(visits, "ESSS", 10e6), 1e-12); // a slower link passes no more
    assertEquals(Double.POSITIVE_INFINITY, GridLinkReceive.cap(visits, "ESSS", 1e9));
    assertEquals(Double.POSITIVE_INFINITY, GridLinkReceive.cap(visits, "EESS", 100e6));
    // 2 cores over 100 Mbit: the wire alone allows ESSS's 65536-byte hops about 182 fps; the visit passed 150
    Prediction esss = GridModel.predict(GridModel.Version.NEW, after, 2, 100e6).get("ESSS");
    assertTrue(GridModel.predict(GridModel.Version.NEW, before, 2, 100e6).get("ESSS").fps() > 170);
    assertEquals(150, esss.fps(), 1e-9);
    assertEquals("visit rx|ESSS|100mbit (unthrottled)", GridModel.limit(after, "ESSS", esss, 100e6));
    // at 10 Mbit the wire (about 18 fps) is below that: the planner's own figure and limit stand
    Prediction slow = GridModel.predict(GridModel.Version.NEW, after, 2, 10e6).get("ESSS");
    assertTrue(slow.fps() < 20, "" + slow.fps());
    assertEquals(slow.bottleneck(), GridModel.limit(after, "ESSS", slow, 10e6));
    // a visit at 10 Mbit itself holds it there, the slowest visit at least as fast as the scenario's link naming it
    visits.add(new GridModel.Visit(GridLinkReceive.label("10mbit"), 15, 0.05, 0.06));
    GridModel.Inputs both = new GridModel.Inputs(before.m(), before.side(), before.source(), visits,
        before.hostCores());
    Prediction held = GridModel.predict(GridModel.Version.NEW, both, 2, 10e6).get("ESSS");
    assertEquals(15, held.fps(), 1e-9);
    assertEquals("visit rx|ESSS|10mbit (unthrottled)", GridModel.limit(both, "ESSS", held, 10e6));
  }

  @Test
  void aVisitAtASlowLinkLastsLongEnoughToCountItsFrames() {
    // 512x512: the producer's 262144 bytes take 219 ms at 10 Mbit, so 30 frames take 6.6 s
    assertEquals(30 * 0.219, GridLinkReceive.visitSeconds(2.5, 262144, "10mbit"), 0.01);
    // at 100 Mbit 30 frames take 0.66 s: the calibration visits' 2.5 s stand
    assertEquals(2.5, GridLinkReceive.visitSeconds(2.5, 262144, "100mbit"), 1e-12);
  }
}
