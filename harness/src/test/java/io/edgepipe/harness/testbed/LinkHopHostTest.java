package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The link probe's host over loopback (the testbed run needs root; the same commands run here). */
class LinkHopHostTest {
  @Test
  void aHostTimesFramesToAReceiverAndTheReceiverCountsThemAndItsCpu() {
    LinkHopHost receiver = new LinkHopHost();
    LinkHopHost sender = new LinkHopHost();
    try {
      String listening = receiver.handle("LISTEN 0 65536");
      assertTrue(listening.startsWith("LISTENING "), listening);
      int port = Integer.parseInt(listening.split(" ")[1]);
      String[] before = receiver.handle("CPU").split(" ");
      String[] sent = sender.handle("SEND 127.0.0.1:" + port + " 65536 0.2 7 65536 0").split(" ");
      String[] after = receiver.handle("CPU").split(" ");
      assertEquals("SENT", sent[0]);
      long frames = Long.parseLong(sent[1]);
      assertTrue(frames >= 7, "at least MINFRAMES: " + frames);
      assertTrue(Long.parseLong(sent[2]) > 0 && Long.parseLong(sent[3]) > 0, String.join(" ", sent));
      // the receiver counted the timed frames and the warm-up ones, and spent CPU on them
      assertEquals(frames + LinkHopHost.WARMUP_FRAMES, Long.parseLong(after[2]) - Long.parseLong(before[2]));
      assertTrue(Long.parseLong(after[1]) > Long.parseLong(before[1]));
      // paced: 5 frames one every 40 ms take at least 4 periods
      String[] paced = sender.handle("SEND 127.0.0.1:" + port + " 4096 0.01 5 65536 40").split(" ");
      assertEquals(5, Long.parseLong(paced[1]));
      assertTrue(Long.parseLong(paced[2]) >= 160_000_000L, String.join(" ", paced));
      assertTrue(receiver.handle("SEND nowhere").startsWith("ERROR"), "a malformed command is answered ERROR");
    } finally {
      sender.close();
      receiver.close();
    }
  }

  @Test
  void probeSizesSpanTheModelsHopsOnALogScale() {
    assertEquals(List.of(1000L, 10_000L, 100_000L), LinkHopProbe.sizes(1000, 100_000, 3));
    assertEquals(List.of(5000L), LinkHopProbe.sizes(5000, 5000, 4));
  }
}
