package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code down} leaves nothing, whatever state {@code up} was left in. Needs root. */
class TestbedTeardownTest {
  private static final String PREFIX = "edgepipe-u";
  private static final String SUBNET = "10.77.8.0/30";
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir
  Path logs;
  private NodeProcess child;

  @BeforeEach
  void clean() {
    RootTestbed.assumeUsable();
    Testbed.down(PREFIX);
  }

  @AfterEach
  void cleanAgain() {
    if (child != null) {
      child.kill();
    }
    Testbed.down(PREFIX);
  }

  private static TestbedConfig config() {
    return TestbedConfig.defaults().withPrefix(PREFIX).withSubnet(SUBNET);
  }

  @Test
  void downRemovesNamespacesLinkCgroupsStateAndTheProcessesInside() throws Exception {
    TestbedState tb = Testbed.up(config());
    assertFalse(RootTestbed.leftovers(PREFIX).isEmpty());
    NodeProcess server = RootTestbed.startOn(tb, Node.SERVER, logs, "sink", NetTool.class.getName(), "sink", "5003");
    NodeProcess edge = RootTestbed.startOn(tb, Node.EDGE, logs, "echo", NetTool.class.getName(), "echo", "5003");
    RootTestbed.await(server, "LISTENING", START);
    RootTestbed.await(edge, "LISTENING", START);

    List<String> removed = Testbed.down(PREFIX);
    assertTrue(removed.contains("stopped 2 process(es)"), removed.toString());
    assertEquals(List.of(), RootTestbed.leftovers(PREFIX));
    assertFalse(server.isAlive());
    assertFalse(edge.isAlive());
    assertEquals(List.of(), Testbed.down(PREFIX), "a second down has nothing to do");
    TestbedException notUp = assertThrows(TestbedException.class, () -> Testbed.require(PREFIX));
    assertTrue(notUp.getMessage().contains("testbed up"), notUp.getMessage());
  }

  @Test
  void downOfOneTestbedLeavesOtherPrefixesAlone() {
    String other = "edgepipe-v";
    Testbed.down(other);
    try {
      Testbed.up(config());
      Testbed.up(TestbedConfig.defaults().withPrefix(other).withSubnet("10.77.3.0/30"));
      Testbed.down(PREFIX);
      assertEquals(List.of(), RootTestbed.leftovers(PREFIX));
      assertEquals(5, RootTestbed.leftovers(other).size(), "2 namespaces, 2 cgroups, state: " + RootTestbed.leftovers(other));
      Testbed.require(other);
    } finally {
      Testbed.down(other);
    }
    assertEquals(List.of(), RootTestbed.leftovers(other));
  }

  @Test
  void aFailedStepUndoesEverythingBeforeIt() {
    RuntimeException injected = new IllegalStateException("injected failure after shape-edge");
    RuntimeException e = assertThrows(RuntimeException.class, () -> Testbed.up(config(), step -> {
      if (step.equals("shape-edge")) {
        throw injected;
      }
    }));
    assertEquals(injected, e);
    assertEquals(List.of(), RootTestbed.leftovers(PREFIX));
  }

  @Test
  void upKilledWithSigkillMidwayIsCleanedByDown() throws Exception {
    child = upAndHang("link");
    RootTestbed.await(child, "PAUSED", START);
    child.kill();
    assertTrue(child.waitFor(Duration.ofSeconds(10)));
    TestbedState half = Testbed.state(PREFIX).orElseThrow();
    assertEquals(TestbedState.CREATING, half.phase());
    assertEquals(2, Network.namespaces(new Names(PREFIX).owned()).size(), "namespaces and link were made before the kill");
    TestbedException e = assertThrows(TestbedException.class, () -> Testbed.require(PREFIX));
    assertTrue(e.getMessage().contains("half built"), e.getMessage());

    Testbed.down(PREFIX);
    assertEquals(List.of(), RootTestbed.leftovers(PREFIX));
  }

  @Test
  void upStoppedWithSigtermMidwayCleansUpByItself() throws Exception {
    child = upAndHang("cgroup-edge");
    RootTestbed.await(child, "PAUSED", START);
    assertFalse(RootTestbed.leftovers(PREFIX).isEmpty());
    child.stop(Duration.ofSeconds(20)); // SIGTERM: the shutdown hook of up removes what it made
    assertEquals(List.of(), RootTestbed.leftovers(PREFIX));
  }

  private NodeProcess upAndHang(String step) {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), UpAndHang.class.getName(),
        PREFIX, SUBNET, step);
    return NodeProcess.start("up", cmd, logs.resolve("up.log"));
  }
}
