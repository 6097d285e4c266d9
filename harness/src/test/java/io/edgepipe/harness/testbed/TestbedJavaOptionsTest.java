package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The testbed's children keep a frame in transit per hop, and size their windows for the link's round trip when it has a delay. */
class TestbedJavaOptionsTest {
  @Test
  void withoutDelayTheHeapAndAFrameInTransit() {
    assertEquals(List.of("-Xmx1g", "-Dedgepipe.window.transit=1"), TestbedRun.javaOptions(100_000_000L, Duration.ZERO));
  }

  @Test
  void aDelayAddsTheBytesItsRoundTripKeepsInTransit() {
    // 100 Mbit/s x 2 x 20 ms = 500,000 bytes
    assertEquals(List.of("-Xmx1g", "-Dedgepipe.window.transit=1", "-Dedgepipe.window.linkBytes=500000"),
        TestbedRun.javaOptions(100_000_000L, Duration.ofMillis(20)));
  }
}
