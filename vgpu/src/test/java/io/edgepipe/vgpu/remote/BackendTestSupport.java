package io.edgepipe.vgpu.remote;

import java.util.function.BooleanSupplier;

/** Small waits for asynchronous backend effects (sessions freed after a stream ends). */
final class BackendTestSupport {
  private BackendTestSupport() {}

  static void waitFor(BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!cond.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(10);
    }
  }
}
