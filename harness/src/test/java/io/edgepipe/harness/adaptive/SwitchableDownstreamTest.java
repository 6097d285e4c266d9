package io.edgepipe.harness.adaptive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.runtime.Downstream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Make-before-break: a switch sends new frames to the new next stage at once; the old one drains meanwhile. */
class SwitchableDownstreamTest {
  /** A next stage that answers only when told to. */
  static final class HeldNext implements Downstream {
    final List<Long> received = new ArrayList<>();
    final List<Runnable> unanswered = new ArrayList<>();
    boolean closed;

    @Override
    public synchronized void send(Frame frame, Runnable onAnswered) {
      received.add(frame.getSeq());
      unanswered.add(onAnswered);
    }

    synchronized void answerAll() {
      unanswered.forEach(Runnable::run);
      unanswered.clear();
    }

    @Override
    public synchronized void close() {
      closed = true;
    }
  }

  private static Frame frame(long seq) {
    return Frame.newBuilder().setFlowId("cam0").setSeq(seq).build();
  }

  @Test
  void newFramesGoToTheNewNextStageWhileTheOldOneStillOwesAnswers() {
    HeldNext old = new HeldNext();
    HeldNext fresh = new HeldNext();
    AtomicInteger answered = new AtomicInteger();
    SwitchableDownstream out = new SwitchableDownstream(old);
    for (long seq = 0; seq < 3; seq++) {
      out.send(frame(seq), answered::incrementAndGet);
    }
    SwitchableDownstream.Drain drain = out.switchTo(fresh); // returns with 3 frames unanswered by the old one
    out.send(frame(3), answered::incrementAndGet);
    out.send(frame(4), answered::incrementAndGet);
    assertEquals(List.of(0L, 1L, 2L), old.received, "the old next stage got only the frames before the switch");
    assertEquals(List.of(3L, 4L), fresh.received, "new frames went to the new one without waiting for the old");
    assertFalse(old.closed, "the old connection stays open while it owes answers");
    old.answerAll();
    assertTrue(drain.await(1000), "drained once the old one answered everything");
    assertTrue(old.closed, "the old connection is closed after its drain");
    assertFalse(fresh.closed);
    fresh.answerAll();
    assertEquals(5, answered.get(), "every frame answered to the sender once");
  }

  @Test
  void aDrainThatTakesLongerThanItsTimeoutSaysSo() {
    HeldNext old = new HeldNext();
    SwitchableDownstream out = new SwitchableDownstream(old);
    out.send(frame(0), null);
    assertFalse(out.switchTo(new HeldNext()).await(50), "the old one never answered");
  }

  @Test
  void aSwitchWithNothingInFlightDrainsAtOnce() {
    HeldNext old = new HeldNext();
    SwitchableDownstream out = new SwitchableDownstream(old);
    assertTrue(out.switchTo(new HeldNext()).await(0));
    assertTrue(old.closed);
  }
}
