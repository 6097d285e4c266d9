package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Waiting for a child's protocol line, with a plain local process (no testbed needed). */
class NodeProcessAwaitTest {
  @TempDir
  Path dir;

  @Test
  void awaitPassesOverOtherLinesAndTellsTheEndOfOutputFromATimeout() throws Exception {
    try (NodeProcess p = NodeProcess.start("talker", List.of("sh", "-c",
        "echo 'EDGEPIPE-TB FRAMES 3'; echo a log line; echo 'EDGEPIPE-TB RESULT 42'"), dir.resolve("talker.log"))) {
      assertEquals("RESULT 42", p.awaitMessage(m -> m.startsWith("RESULT"), Duration.ofSeconds(60)));
      assertEquals(NodeProcess.EOF, p.awaitMessage(m -> true, Duration.ofSeconds(60)), "the output ended");
    }
    try (NodeProcess quiet = NodeProcess.start("quiet", List.of("sleep", "60"), dir.resolve("quiet.log"))) {
      assertNull(quiet.awaitMessage(m -> true, Duration.ofMillis(50)), "nothing said before the timeout");
    }
  }

  @Test
  void expectReturnsTheLineOrFailsNamingTheLogWhenTheOutputEnds() {
    try (NodeProcess p = NodeProcess.start("starter", List.of("sh", "-c", "echo 'EDGEPIPE-TB READY 1'"),
        dir.resolve("starter.log"))) {
      assertEquals("READY 1", p.expect("READY", Duration.ofSeconds(60)));
      TestbedException e = assertThrows(TestbedException.class, () -> p.expect("RESULT", Duration.ofSeconds(60)));
      assertTrue(e.getMessage().startsWith("starter did not say RESULT in 60 s; see "), e.getMessage());
      assertTrue(e.getMessage().endsWith("starter.log"), e.getMessage());
    }
  }
}
