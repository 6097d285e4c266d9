package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void everyNameCarriesThePrefix() {
    Names n = Names.defaults();
    assertEquals("edgepipe-edge", n.netns(Node.EDGE));
    assertEquals("edgepipe-server", n.netns(Node.SERVER));
    assertEquals("edgepipe-e", n.veth(Node.EDGE));
    assertEquals("/sys/fs/cgroup/cpu/edgepipe-edge", n.cpuCgroup(Node.EDGE).toString());
    assertEquals("/run/edgepipe-testbed/state.json", n.stateFile().toString());
    Names t = new Names("edgepipe-t1");
    assertTrue(t.veth(Node.SERVER).length() <= 15, "interface names hold 15 characters");
  }

  @Test
  void prefixesOutsideTheEdgepipeNamespaceAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Names("eth"));
    assertThrows(IllegalArgumentException.class, () -> new Names("edgepipe-too-long-x"));
    assertThrows(IllegalArgumentException.class, () -> new Names("edgepipe_x"));
  }

  @Test
  void subnetGivesTheFirstTwoHostAddresses() {
    Subnet s = Subnet.parse("10.77.0.0/30");
    assertEquals("10.77.0.1", s.address(Node.EDGE));
    assertEquals("10.77.0.2/30", s.cidr(Node.SERVER));
    assertEquals("10.77.0.0/30", s.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.77.0.1/30"));
    assertTrue(e.getMessage().contains("10.77.0.0/30"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.77.0.0/31"));
    assertThrows(IllegalArgumentException.class, () -> Subnet.parse("300.1.1.0/24"));
  }

  @Test
  void configValidatesItsValues() {
    TestbedConfig c = TestbedConfig.defaults();
    assertEquals(1_000_000_000L, c.bandwidthBps());
    assertEquals(0.5, c.edgeCpu());
    assertThrows(IllegalArgumentException.class, () -> c.withEdgeCpu(0));
    assertEquals(2_000_000L, c.withBandwidth("2mbit").bandwidthBps());
  }
}
