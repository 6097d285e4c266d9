package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.SinkRecorder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The phases of one testbed chain keep their own figures (runs everywhere: no testbed needed). */
class PhasedSinkTest {
  private static Frame frame(String flow, long seq) {
    return Frame.newBuilder().setFlowId(flow).setSeq(seq).setCaptureTimeUs(EpochClock.nowMicros()).build();
  }

  @Test
  void eachPhaseCountsOnlyItsOwnFrames() throws Exception {
    PhasedSink sink = new PhasedSink(Delivery.RELIABLE);
    for (int i = 0; i < 5; i++) {
      sink.process(frame("warmup-0", i));
    }
    assertTrue(sink.awaitAccounted(Map.of("warmup-0", 5L), Duration.ofSeconds(1)));
    SinkRecorder warm = sink.next();
    assertEquals(5, warm.delivered());
    assertEquals(0, sink.current().delivered());

    sink.process(frame("cam0", 0));
    sink.onTombstone(frame("cam0", 1).toBuilder().setDropReason("queue full at relu").build());
    sink.process(frame("cam0", 2));
    assertTrue(sink.awaitAccounted(Map.of("cam0", 3L), Duration.ofSeconds(1))); // a drop is accounted for
    assertEquals(2, sink.current().summary().delivered());
    assertEquals(1, sink.current().summary().dropped());
    assertEquals(0, sink.current().summary().gaps());
  }

  @Test
  void waitingForMissingFramesTimesOut() throws Exception {
    PhasedSink sink = new PhasedSink(Delivery.RELIABLE);
    sink.process(frame("cam0", 0));
    assertFalse(sink.awaitAccounted(Map.of("cam0", 2L), Duration.ofMillis(100)));
    assertFalse(sink.awaitAccounted(Map.of("cam1", 1L), Duration.ofMillis(50))); // a flow of which nothing came
  }
}
