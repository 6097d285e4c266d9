package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real testbed (20 mbit, half a core on the edge) and what it must do. Needs root. */
class TestbedLifecycleTest {
  private static final String PREFIX = "edgepipe-t";
  private static final long RATE = 20_000_000L;
  private static final Duration START = Duration.ofSeconds(30);
  private static TestbedState tb;

  @TempDir
  Path logs;
  private final List<NodeProcess> children = new ArrayList<>();

  @BeforeAll
  static void up() {
    RootTestbed.assumeUsable();
    Testbed.down(PREFIX); // leftovers of an earlier, killed test run
    tb = Testbed.up(TestbedConfig.defaults().withPrefix(PREFIX).withBandwidth("20mbit").withEdgeCpu(0.5)
        .withSubnet("10.77.7.0/30"));
  }

  @AfterAll
  static void down() {
    if (tb != null) {
      Testbed.down(PREFIX);
      assertEquals(List.of(), RootTestbed.leftovers(PREFIX));
    }
  }

  @AfterEach
  void stopChildren() {
    children.forEach(NodeProcess::kill);
  }

  private NodeProcess start(Node node, String name, String... args) {
    NodeProcess p = RootTestbed.startOn(tb, node, logs, name, NetTool.class.getName(), args);
    children.add(p);
    return p;
  }

  @Test
  void upBuildsNamespacesShapedLinkAndCpuCap() {
    for (Node node : Node.values()) {
      Testbed.LinkReadback link = Testbed.readLink(tb, node);
      assertEquals(RATE, link.htbRateBps(), node + " htb rate");
      assertEquals(RATE, link.htbCeilBps(), node + " htb ceil");
      assertEquals(RATE, link.tbfRateBps(), node + " tbf rate");
      assertTrue(Network.addresses(tb.netns(node)).contains(tb.address(node) + "/30"), Network.addresses(tb.netns(node)));
    }
    assertEquals(new Testbed.CpuReadback(50_000, 100_000), Testbed.readCpu(tb, Node.EDGE));
    assertEquals(-1, Testbed.readCpu(tb, Node.SERVER).quotaUs(), "the server is not capped");
    assertEquals(tb, Testbed.require(PREFIX));
    String status = Testbed.status(PREFIX);
    for (String expected : new String[] {"edgepipe-t-edge", "edgepipe-t-server", "10.77.7.1/30", "qdisc htb 1:",
        "qdisc tbf 10:", "rate 20Mbit", "quota 50000 us / period 100000 us = 0.50 core(s)", "20mbit"}) {
      assertTrue(status.contains(expected), "status lacks '" + expected + "':\n" + status);
    }
  }

  @Test
  void aSecondUpIsRefusedAndLeavesTheFirstAlone() {
    TestbedException e = assertThrows(TestbedException.class,
        () -> Testbed.up(TestbedConfig.defaults().withPrefix(PREFIX)));
    assertTrue(e.getMessage().contains("already up"), e.getMessage());
    assertEquals(tb, Testbed.require(PREFIX));
    assertEquals(2, Network.namespaces(new Names(PREFIX).owned()).size());
  }

  @Test
  void bulkTrafficCrossesTheLinkAtTheShapedRateEachWay() throws Exception {
    long bytes = 4_000_000;
    NodeProcess atServer = start(Node.SERVER, "sink-server", "sink", "5001");
    NodeProcess atEdge = start(Node.EDGE, "sink-edge", "sink", "5001");
    RootTestbed.await(atServer, "LISTENING", START);
    RootTestbed.await(atEdge, "LISTENING", START);
    start(Node.EDGE, "send-up", "send", tb.address(Node.SERVER), "5001", String.valueOf(bytes));
    start(Node.SERVER, "send-down", "send", tb.address(Node.EDGE), "5001", String.valueOf(bytes));
    for (NodeProcess sink : List.of(atServer, atEdge)) {
      String[] got = RootTestbed.await(sink, "RECEIVED", START).split(" ");
      assertEquals(bytes, Long.parseLong(got[0]), sink.name());
      double mbit = bytes * 8 / (Long.parseLong(got[1]) / 1e9) / 1e6;
      System.out.printf("%s: %.1f Mbit/s over a 20mbit link%n", sink.name(), mbit);
      assertTrue(mbit <= 20 * 1.10, sink.name() + ": " + mbit + " Mbit/s is above the 20mbit shaping");
      assertTrue(mbit >= 20 * 0.5, sink.name() + ": " + mbit + " Mbit/s: the link carries far less than its rate");
    }
  }

  @Test
  void aPacedFrameTakesItsSerialisationTimeNotABurst() throws Exception {
    int bytes = 64 * 1024; // the old 64 KiB bucket let this through at memory speed
    NodeProcess ack = start(Node.SERVER, "ack", "ack", "5003", String.valueOf(bytes));
    RootTestbed.await(ack, "LISTENING", START);
    NodeProcess frames = start(Node.EDGE, "frames", "frames", tb.address(Node.SERVER), "5003",
        String.valueOf(bytes), "9", "100");
    String[] got = RootTestbed.await(frames, "FRAMES", START).split(" ");
    double wireMs = bytes * 8.0 / RATE * 1000;
    double medianMs = Long.parseLong(got[1]) / 1e6;
    System.out.printf("paced %d-byte frames over a 20mbit link: median %.1f ms, on the wire %.1f ms%n", bytes,
        medianMs, wireMs);
    assertTrue(medianMs >= 0.85 * wireMs, "a frame crossed in " + medianMs + " ms, under its " + wireMs
        + " ms on a 20mbit wire: the shaper's bucket lets it through in a burst");
    assertTrue(medianMs <= 3 * wireMs, "a frame took " + medianMs + " ms, its wire time is " + wireMs + " ms");
  }

  @Test
  void edgeProcessesGetHalfACore() throws Exception {
    NodeProcess spin = start(Node.EDGE, "spin", "spin", "1.5");
    String[] got = RootTestbed.await(spin, "CPU", START).split(" ");
    double cores = Double.parseDouble(got[0]) / Double.parseDouble(got[1]);
    System.out.printf("edge busy loop: %.2f cores used under a 0.5-core quota%n", cores);
    assertTrue(cores <= 0.6, "edge used " + cores + " cores under a 0.5 quota");
    // no lower bound to speak of: other work on a shared 2-core host may take the rest
    assertTrue(cores >= 0.05, "edge got only " + cores + " cores");
  }

  @Test
  void delayForwarderAddsItsDelayInEachDirectionAcrossTheLink() throws Exception {
    NodeProcess echo = start(Node.SERVER, "echo", "echo", "5002");
    NodeProcess proxy = Testbed.launcher(tb).startDelayProxy("proxy", Node.EDGE,
        List.of("--delay", "10ms", "127.0.0.1:6002=" + tb.address(Node.SERVER) + ":5002"), logs.resolve("proxy.log"));
    children.add(proxy);
    RootTestbed.await(echo, "LISTENING", START);
    RootTestbed.await(proxy, "READY", START);
    assertTrue(Network.pids(tb.netns(Node.EDGE)).contains(proxy.pid()), "the forwarder is in the edge's namespace");
    assertFalse(CpuCgroups.pids(tb.names().cpuCgroup(Node.EDGE)).contains(proxy.pid()),
        "but not in the edge's cgroup: the emulated link does not spend the edge's CPU");
    NodeProcess rtt = start(Node.EDGE, "rtt", "rtt", "127.0.0.1", "6002", "10");
    String[] got = RootTestbed.await(rtt, "RTT", START).split(" ");
    double minMs = Long.parseLong(got[0]) / 1e6;
    System.out.printf("round trip through a 10 ms one-way forwarder: min %.2f ms, median %.2f ms%n", minMs,
        Long.parseLong(got[1]) / 1e6);
    assertTrue(minMs >= 20 && minMs < 30, "round trip " + minMs + " ms, expected about 2 x 10 ms");
    proxy.stop(Duration.ofSeconds(5));
    String stats = RootTestbed.await(proxy, "STATS", Duration.ofSeconds(5));
    assertTrue(stats.contains("forwarded 20 bytes"), stats);
  }
}
