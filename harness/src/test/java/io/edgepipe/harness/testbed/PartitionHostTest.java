package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The partition host's commands, on loopback: services start and stop in one JVM; bad commands are answered. */
class PartitionHostTest {
  private static final String SPEC = Path.of("..", "pipelines", "thesis.yaml").toAbsolutePath().toString();

  @Test
  void startsAndStopsServicesByNameAndAnswersBadCommands() {
    PartitionHost host = new PartitionHost("cpu", "edge");
    String start = "START conv " + SPEC + " 32 32 reliable 1000 0 127.0.0.1:9";
    assertEquals("STARTED conv", host.handle(start));
    assertTrue(host.handle(start).startsWith("ERROR START conv: service conv already runs here"));
    assertEquals("STARTED relu", host.handle("START relu " + SPEC + " 32 32 reliable 1000 0 127.0.0.1:9"));
    assertEquals("STOPPED conv", host.handle("STOP conv"));
    assertTrue(host.handle("STOP conv").startsWith("ERROR STOP conv: no service conv runs here"));
    assertTrue(host.handle("START nosuch " + SPEC + " 32 32 reliable 1000 0 127.0.0.1:9").startsWith("ERROR START nosuch"));
    assertTrue(host.handle("RELOAD conv").startsWith("ERROR unknown command"));
    assertEquals("STOPPED relu", host.handle("STOP relu"));
  }
}
