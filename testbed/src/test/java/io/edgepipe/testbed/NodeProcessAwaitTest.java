package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
