package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainLayoutTest {
  private static final List<String> STAGES = List.of("conv", "relu", "maxpool");
  private static final List<String> SERVICES = List.of("producer", "conv", "relu", "maxpool");

  private static TestbedState state(String delay) {
    return TestbedState.of(TestbedConfig.defaults().withDelay(delay), TestbedState.UP);
  }

  private static ChainLayout plan(String placement, String delay) {
    return ChainLayout.plan(Placement.parse(placement, SERVICES), STAGES, state(delay), 50100);
  }

  @Test
  void placementLettersAreCheckedAgainstTheChain() {
    assertEquals(List.of(Tier.EDGE, Tier.EDGE, Tier.SERVER, Tier.SERVER), Placement.parse("eess", SERVICES).tiers());
    assertEquals(Node.SERVER, Node.of(Placement.parse("eess", SERVICES).tier(3)));
    IllegalArgumentException len = assertThrows(IllegalArgumentException.class, () -> Placement.parse("EES", SERVICES));
    assertTrue(len.getMessage().contains("expected 4 letters"), len.getMessage());
    IllegalArgumentException letter = assertThrows(IllegalArgumentException.class,
        () -> Placement.parse("EXSS", SERVICES));
    assertTrue(letter.getMessage().contains("'X'"), letter.getMessage());
  }

  @Test
  void eessCrossesTheLinkTwice() {
    ChainLayout l = plan("EESS", "0ms");
    assertEquals(50100, l.sinkPort());
    ChainLayout.Service producer = l.producer();
    assertEquals("127.0.0.1:50101", producer.next(), "producer -> conv on the edge's loopback");
    assertNull(producer.probe());
    ChainLayout.Service conv = l.stages().get(0);
    assertEquals(Node.EDGE, conv.node());
    assertEquals(50101, conv.port());
    assertEquals("10.77.0.2:50102", conv.next(), "conv -> relu across the link");
    assertEquals("127.0.0.1:50101", conv.probe());
    ChainLayout.Service relu = l.stages().get(1);
    assertEquals("127.0.0.1:50103", relu.next());
    assertEquals("10.77.0.2:50102", relu.probe());
    ChainLayout.Service maxpool = l.stages().get(2);
    assertEquals("10.77.0.1:50100", maxpool.next(), "maxpool -> sink back across the link");
    assertTrue(l.proxyRoutes().isEmpty());
  }

  @Test
  void allOnOneNodeStaysOnLoopback() {
    for (String p : List.of("SSSS", "EEEE")) {
      ChainLayout l = plan(p, "5ms");
      for (ChainLayout.Service s : l.services()) {
        assertTrue(s.next().startsWith("127.0.0.1:"), p + " " + s);
      }
      assertTrue(l.proxyRoutes().isEmpty(), "no hop crosses the link in " + p);
    }
  }

  @Test
  void aDelayRoutesCrossingHopsThroughTheSendersProxy() {
    ChainLayout l = plan("EESS", "10ms");
    assertEquals("127.0.0.1:51102", l.stages().get(0).next());
    assertEquals("127.0.0.1:51100", l.stages().get(2).next());
    assertEquals(List.of(new DelayProxy.Route("127.0.0.1", 51102, "10.77.0.2", 50102)), l.proxyRoutes().get(Node.EDGE));
    assertEquals(List.of(new DelayProxy.Route("127.0.0.1", 51100, "10.77.0.1", 50100)), l.proxyRoutes().get(Node.SERVER));
    ChainLayout esss = plan("ESSS", "10ms");
    assertEquals("127.0.0.1:51101", esss.producer().next());
  }
}
