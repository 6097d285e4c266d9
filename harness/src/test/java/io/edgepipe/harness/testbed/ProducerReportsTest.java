package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.harness.testbed.ProducerReports.Report;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProducerReportsTest {
  private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(10);

  private static Report at(long ms) {
    return new Report(ms, ms * 2, new long[0], List.of(), List.of());
  }

  /** A log full to its capacity: the next report prunes it from 4 to 3 entries. */
  private static ProducerReports full() {
    ProducerReports log = new ProducerReports(4);
    for (int i = 1; i <= 4; i++) {
      log.add(at(100L * i));
    }
    return log;
  }

  @Test
  void theNextReportIsFoundWhenItsArrivalPrunesTheLog() throws InterruptedException {
    ProducerReports log = full();
    long mark = log.received();
    log.add(at(500)); // 5 > 4 kept: the oldest 2 go, 3 remain, fewer than when the mark was taken
    assertEquals(3, log.between(0, Long.MAX_VALUE).size());
    // a wait that compared the list's size with its size at the mark (4) would never see this report
    Report next = log.nextAfter(mark, TimeUnit.MILLISECONDS.toNanos(200), () -> false);
    assertNotNull(next, "the report that arrived after the mark, across the prune");
    assertEquals(500, next.atMs());
  }

  @Test
  void aWaiterIsWokenByAReportThatPrunesTheLog() throws InterruptedException {
    ProducerReports log = full();
    long mark = log.received();
    Thread producer = new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      log.add(at(500));
    });
    producer.start();
    long start = System.nanoTime();
    Report next = log.nextAfter(mark, LONG_WAIT, () -> false);
    producer.join();
    assertNotNull(next);
    assertEquals(500, next.atMs());
    assertTrue(System.nanoTime() - start < LONG_WAIT / 2, "woken by the report, not by the time-out");
  }

  @Test
  void waitingPastAReportFindsTheFirstLaterOneEvenIfThatReportWasPruned() throws InterruptedException {
    ProducerReports log = full();
    Report oldest = log.between(0, 100).get(0);
    log.add(at(500)); // prunes the reports at 100 and 200
    Report next = log.nextAfter(oldest, LONG_WAIT, () -> false);
    assertEquals(300, next.atMs());
    assertEquals(1000, log.delivered());
  }

  @Test
  void noReportMeansNullAfterTheTimeOutOrAtOnceWhenTheProducerFailed() throws InterruptedException {
    ProducerReports log = full();
    assertNull(log.nextAfter(log.received(), TimeUnit.MILLISECONDS.toNanos(50), () -> false));
    long start = System.nanoTime();
    assertNull(log.nextAfter(log.received(), LONG_WAIT, () -> true));
    assertTrue(System.nanoTime() - start < LONG_WAIT / 2);
  }
}
