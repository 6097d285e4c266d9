package io.edgepipe.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.EpochClock;
import io.edgepipe.api.proto.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkRecorderTest {
  private static Frame frame(long seq) {
    return Frame.newBuilder().setFlowId("cam0").setSeq(seq).setCaptureTimeUs(EpochClock.nowMicros()).build();
  }

  private static Frame tombstone(long seq, String reason) {
    return frame(seq).toBuilder().setDropReason(reason).build();
  }

  @Test
  void reliableDeliversEachFrameOnceAndInOrder() {
    List<Long> order = new ArrayList<>();
    SinkRecorder sink = new SinkRecorder(f -> order.add(f.getSeq()), Delivery.RELIABLE);
    for (long seq : new long[] {0, 2, 1, 1, 0, 3, 5, 4, 5}) {
      sink.process(frame(seq));
    }
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), order);
    RunSummary s = sink.summary();
    assertEquals(6, s.delivered());
    assertEquals(3, s.duplicates());
    assertEquals(0, s.gaps());
  }

  @Test
  void realtimeAccountsForTombstonesByReasonAndCountsGaps() {
    SinkRecorder sink = new SinkRecorder(null, Delivery.REALTIME);
    sink.process(frame(0));
    sink.onTombstone(tombstone(1, "queue full at relu"));
    sink.onTombstone(tombstone(2, "rejected at conv: data is 3 bytes"));
    sink.process(frame(4));
    sink.process(frame(3)); // late
    sink.process(frame(7));
    RunSummary s = sink.summary();
    assertEquals(4, s.delivered());
    assertEquals(1, s.dropped());
    assertEquals(1, s.rejected());
    assertEquals(1, s.outOfOrder());
    assertEquals(2, s.gaps()); // 5 and 6 never came
    assertEquals(1L, s.dropReasons().get("queue full at relu"));
    assertEquals(1L, s.dropReasons().get("rejected"));
  }

  @Test
  void outOfOrderCountsDeliveredFramesOnly() {
    SinkRecorder sink = new SinkRecorder(null, Delivery.REALTIME);
    // frames dropped late in the chain arrive as tombstones after later frames were delivered:
    // they are accounted for as dropped, and are not "delivered out of order"
    sink.process(frame(0));
    sink.process(frame(3));
    sink.onTombstone(tombstone(1, "deadline at maxpool"));
    sink.onTombstone(tombstone(2, "queue full at relu"));
    sink.process(frame(5));
    sink.onTombstone(tombstone(4, "deadline at maxpool"));
    RunSummary s = sink.summary();
    assertEquals(3, s.delivered());
    assertEquals(3, s.dropped());
    assertEquals(0, s.outOfOrder(), "tombstones arriving late are not delivered frames out of order");
    assertTrue(s.outOfOrder() <= s.delivered());

    // a tombstone ahead of a delivered frame does not make that frame late either
    SinkRecorder other = new SinkRecorder(null, Delivery.REALTIME);
    other.onTombstone(tombstone(1, "queue full at conv"));
    other.process(frame(0));
    other.process(frame(3));
    other.process(frame(2)); // really late: after 3
    assertEquals(1, other.summary().outOfOrder());
  }

  @Test
  void latencyHistogramIsAccurateInFixedMemory() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 1; v <= 100_000; v++) {
      h.record(v);
    }
    assertEquals(100_000, h.count());
    assertEquals(50_000, h.percentileMicros(50), 50_000 * 0.002);
    assertEquals(99_000, h.percentileMicros(99), 99_000 * 0.002);
    assertEquals(7, h.percentileMicros(0.0065)); // rank ceil(6.5) = 7: exact below 1024 us
    assertTrue(LatencyHistogram.lowerBound(LatencyHistogram.index(123_456_789)) <= 123_456_789);
  }
}
