package io.edgepipe.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class BandsTest {
  @Test
  void everyBandRunsExactlyOnceAndTheCallerWaitsForAll() {
    for (int n : new int[] {1, 2, 3, 8, 64}) {
      AtomicIntegerArray runs = new AtomicIntegerArray(n);
      Bands.run(n, b -> {
        sleepMillis(b % 3); // uneven bands
        runs.incrementAndGet(b);
      });
      for (int b = 0; b < n; b++) {
        assertEquals(1, runs.get(b), "band " + b + " of " + n);
      }
    }
  }

  @Test
  void insideAOneThreadPoolEveryBandRunsOnThatThread() throws Exception {
    ForkJoinPool one = new ForkJoinPool(1);
    try {
      Set<Thread> threads = ConcurrentHashMap.newKeySet();
      one.submit(() -> Bands.run(16, b -> threads.add(Thread.currentThread()))).get();
      assertEquals(1, threads.size());
      assertEquals(1, (int) one.submit(Bands::threads).get());
    } finally {
      one.shutdown();
    }
  }

  @Test
  void aLimitOfOneThreadRunsEveryBandOnTheCaller() throws Exception {
    ForkJoinPool three = new ForkJoinPool(3);
    Bands.limitThreads(1);
    try {
      Set<Thread> threads = ConcurrentHashMap.newKeySet();
      Thread caller = three.submit(() -> {
        Bands.run(64, b -> threads.add(Thread.currentThread()));
        return Thread.currentThread();
      }).get();
      assertEquals(Set.of(caller), threads);
      assertEquals(1, (int) three.submit(Bands::threads).get());
      Bands.limitThreads(2);
      assertEquals(2, (int) three.submit(Bands::threads).get());
      assertThrows(IllegalArgumentException.class, () -> Bands.limitThreads(-1));
    } finally {
      Bands.limitThreads(0);
      three.shutdown();
    }
    assertEquals(3, (int) new ForkJoinPool(3).submit(Bands::threads).get(), "no limit after limitThreads(0)");
  }

  @Test
  void aFailingBandFailsTheCallAfterTheOthersFinish() {
    AtomicIntegerArray runs = new AtomicIntegerArray(8);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Bands.run(8, b -> {
      runs.incrementAndGet(b);
      if (b == 5) {
        throw new IllegalStateException("band 5");
      }
    }));
    assertEquals("band 5", e.getMessage());
    for (int b = 0; b < 8; b++) {
      assertEquals(1, runs.get(b));
    }
  }

  private static void sleepMillis(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
