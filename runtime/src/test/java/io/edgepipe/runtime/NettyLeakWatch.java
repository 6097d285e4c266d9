package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Netty's leak detector at paranoid level (every buffer tracked) for one test class, and the
 * leaks it reports. Set here rather than with -Dio.grpc.netty.shaded.io.netty.leakDetection.level=paranoid
 * for the whole run: its per-access records would themselves fill the heap of StreamAbuseTest.
 */
final class NettyLeakWatch implements AutoCloseable {
  private final ResourceLeakDetector.Level levelBefore;
  private final List<String> leaks = new CopyOnWriteArrayList<>();
  private final Handler recorder = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getMessage() != null && r.getMessage().contains("LEAK")) {
        leaks.add(r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** Paranoid from now until {@link #close}; checks that the detector does report a leak. */
  NettyLeakWatch() throws InterruptedException {
    levelBefore = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    Logger.getLogger("").addHandler(recorder);
    detectorIsWatching();
    leaks.clear();
  }

  /** The detector reports a buffer dropped unreleased here, so silence later means something. */
  private void detectorIsWatching() throws InterruptedException {
    PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1); // dropped without release
    for (int i = 0; i < 50 && leaks.isEmpty(); i++) {
      churnBuffers();
    }
    assertTrue(!leaks.isEmpty(), "the leak detector did not report a buffer leaked on purpose");
  }

  void assertNoLeakReported() throws InterruptedException {
    for (int i = 0; i < 10; i++) {
      churnBuffers();
    }
    assertTrue(leaks.isEmpty(), "Netty reported leaks: " + leaks);
  }

  /** Leaks are reported when a later buffer is tracked after the leaked one was collected. */
  private static void churnBuffers() throws InterruptedException {
    System.gc();
    Thread.sleep(50);
    for (int i = 0; i < 100; i++) {
      ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
      b.release();
    }
  }

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(recorder);
    ResourceLeakDetector.setLevel(levelBefore);
  }
}
