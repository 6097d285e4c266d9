package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.testbed.TestbedException;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command hosts' shared loop and error line. */
class ChildProtocolTest {
  @Test
  void aCommandHostSaysReadyThenAnswersEachNonBlankLineStrippedUntilItsInputEnds() throws IOException {
    List<String> said = new ArrayList<>();
    ChildProtocol.serve(new StringReader("CPU\n\n   \n  SEND x  \nLAST"), command -> "got " + command, said::add);
    assertEquals(List.of("READY", "got CPU", "got SEND x", "got LAST"), said);
  }

  @Test
  void anErrorLineIsOneLineEvenWithoutAMessage() {
    assertEquals("bad  value", ChildProtocol.oneLine(new IllegalStateException("bad\n value")));
    assertEquals("null", ChildProtocol.oneLine(new IllegalStateException()));
  }

  @Test
  void askingAHostReturnsItsAnswerAndFailsOnItsErrorOrExitNamingTheCommand(@TempDir Path dir) {
    // a command host in sh: PING n is answered PONG n, BAD is an error, QUIT ends it
    String host = "echo 'EDGEPIPE-TB READY'; while read l; do case \"$l\" in PING*) echo \"EDGEPIPE-TB PONG ${l#PING }\";; "
        + "BAD*) echo \"EDGEPIPE-TB ERROR no: $l\";; QUIT) exit 0;; esac; done";
    try (NodeProcess p = NodeProcess.start("host", List.of("sh", "-c", host), dir.resolve("host.log"))) {
      Duration timeout = Duration.ofSeconds(60);
      p.expect(ChildProtocol.READY, timeout);
      assertEquals("PONG 7", ChildProtocol.ask(p, "PING 7", m -> m.startsWith("PONG"), timeout));
      String error = assertThrows(TestbedException.class,
          () -> ChildProtocol.ask(p, "BAD x", m -> m.startsWith("PONG"), timeout)).getMessage();
      assertTrue(error.startsWith("host: ERROR no: BAD x (after `BAD x`); see "), error);
      String exited = assertThrows(TestbedException.class,
          () -> ChildProtocol.ask(p, "QUIT", m -> m.startsWith("PONG"), timeout)).getMessage();
      assertTrue(exited.startsWith("host: exited (after `QUIT`); see "), exited);
    }
  }
}
