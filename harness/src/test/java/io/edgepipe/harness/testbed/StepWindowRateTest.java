package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A step's rate is taken between deliveries, so a rate of about one frame per second is not quantised to whole frames. */
class StepWindowRateTest {
  /** Reports every 250 ms from 0 to {@code untilS}; frames delivered every {@code periodS} from {@code firstS}. */
  private static List<TestbedController.Sample> samples(double firstS, double periodS, double untilS) {
    List<TestbedController.Sample> out = new ArrayList<>();
    for (double at = 0; at <= untilS + 1e-9; at += 0.25) {
      long delivered = at >= firstS ? (long) Math.floor((at - firstS) / periodS) + 1 : 0;
      double last = delivered > 0 ? firstS + (delivered - 1) * periodS : Double.NaN;
      out.add(new TestbedController.Sample(at, delivered, "EESS", new long[0], last));
    }
    return out;
  }

  @Test
  void aSlowLinksRateIsReadBetweenDeliveriesNotCountedInAFixedWindow() {
    // a link passing 1.13 frames per second, a step of 3 s with 1 s of settling: 2 or 3 frames in its window
    double period = 1 / 1.13;
    ScheduledTestbedRun.Step step = new ScheduledTestbedRun.Step("thr", 0, 0, 0, 3, 1);
    for (double first : new double[] {0.05, 0.3, 0.61, 0.8}) {
      ScheduledTestbedRun.StepResult r = ScheduledTestbedRun.window(step, 0, 3.25, samples(first, period, 3.25));
      assertEquals(1.13, r.fps(), 1e-6, "first frame at " + first + " s");
    }
  }

  @Test
  void withoutDeliveryTimesTheWindowCountsFrames() {
    ScheduledTestbedRun.Step step = new ScheduledTestbedRun.Step("thr", 0, 0, 0, 3, 1);
    List<TestbedController.Sample> old = new ArrayList<>();
    for (TestbedController.Sample s : samples(0.3, 1 / 1.13, 3.25)) {
      old.add(new TestbedController.Sample(s.atSeconds(), s.delivered(), s.path(), s.latencyUs(), Double.NaN));
    }
    ScheduledTestbedRun.StepResult r = ScheduledTestbedRun.window(step, 0, 3.25, old);
    // frames in (1.0, 3.25]: a whole number over 2.25 s
    assertEquals(r.frames() / 2.25, r.fps(), 1e-9);
  }
}
