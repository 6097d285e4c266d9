package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Tier;
import io.edgepipe.planner.predict.CutPlanner;
import io.edgepipe.planner.predict.Limit;
import io.edgepipe.planner.predict.LinkWire;
import io.edgepipe.planner.predict.UnitPrediction;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import org.junit.jupiter.api.Test;

/**
 * With the wire apart ({@code -Dedgepipe.cuts.wireApart=true}) the sweep's plans treat the testbed's
 * link as a stage of its own in each direction: a service's period holds its compute and its send's
 * CPU, not the bytes' time on the wire; by default the wire is in series (the toy model: hops of 40,
 * 30, 20 and 10 KB; at 10 Mbit/s a KB takes about 0.84 ms on the wire with its headers).
 */
class ModelCutPlanTest {
  private static Profile profile() {
    return ToyCutProfile.builder(0.5, 0.5, 0.5).addLink(LinkClass.EDGE_SERVER, 1e9, 0).build();
  }

  @Test
  void aLinkBoundCutRunsAtTheWiresRateNotAtComputePlusWire() {
    CutPlanner.CutPrediction cut2 = ModelCutExperiment.plan(profile(), "10mbit", 0.5, 2, true).singles().get(2);
    LinkWire wire = new LinkWire(10e6, GridModel.testbedBurstBytes(10e6));
    // the edge computes L0+L1 (5 ms) while the link carries the last frame's 20 KB (16.7 ms)
    assertEquals(Limit.Kind.LINK, cut2.prediction().limit().kind());
    UnitPrediction edge = cut2.prediction().units().get(1);
    assertEquals(Tier.EDGE, edge.tier());
    // the link's busy time: the bytes with their headers, at most the whole send
    assertEquals(1000 / Math.min(edge.sendMs(), wire.busyMs(20_000)), cut2.fps(), 1e-9);
    assertTrue(edge.computeMs() + edge.sendMs() > wire.busyMs(20_000) + 4, "in series it would be " + edge);
    // in series (the default) the edge's compute and the whole send make its period
    CutPlanner.CutPrediction series = ModelCutExperiment.plan(profile(), "10mbit", 0.5, 2, false).singles().get(2);
    UnitPrediction inSeries = series.prediction().units().get(1);
    assertEquals(1000 / (inSeries.computeMs() + inSeries.sendMs()), series.fps(), 1e-9);
  }

  @Test
  void theResultsWireIsNotInTheServersPeriod() {
    CutPlanner.CutPrediction allServer = ModelCutExperiment.plan(profile(), "10mbit", 0.5, 2, true).singles().get(0);
    UnitPrediction server = allServer.prediction().units().get(1);
    assertEquals(Tier.SERVER, server.tier());
    double wire = new LinkWire(10e6, 0).busyMs(10_000); // the 10 KB of results on their way back
    // the link down passes a frame per its busy time; the server computes the next meanwhile, so its
    // period is that busy time, not its compute + the whole send (1.5 + 8.4 ms) as in series
    assertEquals(Math.min(server.sendMs(), wire), server.periodMs(), 1e-9);
    assertTrue(server.periodMs() < server.computeMs() + server.sendMs() - 1, server.toString());
    // the picture's 40 KB up (33.5 ms with their headers) pace it
    assertEquals(Limit.Kind.LINK, allServer.prediction().limit().kind());
    double up = 1000 / new LinkWire(10e6, 0).busyMs(40_000);
    assertEquals(up, allServer.fps(), up * 0.05);
  }
}
