package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QueueDrainTest {
  @Test
  void caughtUpWithTheReportedSendsItWaitsTwoFrameTimesAndNoLessThanOneReport() {
    assertEquals(0.375e9, QueueDrain.caughtUpQuietNanos(100, 0.25), 1);
    assertEquals(0.15e9, QueueDrain.caughtUpQuietNanos(100, 0.1), 1);
    assertEquals(2e9 / 4, QueueDrain.caughtUpQuietNanos(4, 0.1), 1);
  }

  @Test
  void nothingQueuedEndsAfterTheShortQuietAndAQueueAfterItsFramesArrive() throws InterruptedException {
    AtomicLong delivered = new AtomicLong(50);
    long start = System.nanoTime();
    QueueDrain.awaitSent(delivered::get, () -> 50, 2, 0.1); // at 2 fps the long quiet would be 1.5 s
    double caughtUp = (System.nanoTime() - start) / 1e9;
    assertTrue(caughtUp >= 0.99 && caughtUp < 1.45, "caught up: " + caughtUp + " s");

    // 10 frames behind: they arrive one per 100 ms, then the drain waits its quiet
    delivered.set(40);
    Thread feeder = new Thread(() -> {
      for (int i = 0; i < 10; i++) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
        delivered.incrementAndGet();
      }
    });
    start = System.nanoTime();
    feeder.start();
    QueueDrain.awaitSent(delivered::get, () -> 50, 100, 0.1);
    feeder.join();
    assertEquals(50, delivered.get());
    assertTrue((System.nanoTime() - start) / 1e9 >= 1.0 + 0.15);
  }
}
