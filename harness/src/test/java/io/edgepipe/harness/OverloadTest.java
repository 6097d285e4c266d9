package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.RunOptions;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A producer sending as fast as it can never makes the pipeline's memory grow without bound:
 * the heap retained after 100,000 frames is within a small margin of that after 1,000.
 */
class OverloadTest {
  private static final int FRAMES = 100_000;

  @ParameterizedTest
  @EnumSource(Delivery.class)
  void heapAfterOneHundredThousandFramesMatchesHeapAfterOneThousand(Delivery delivery) {
    Path file = Path.of("..", "pipelines", "thesis.yaml");
    PipelineSpec spec = PipelineSpec.load(file).withInput(8, 8).withDelivery(delivery);
    long[] heapAt1k = new long[1];
    AtomicLong sent = new AtomicLong();
    RunResult result;
    try (EmbeddedRun run = new EmbeddedRun(spec, "cpu", null)) {
      result = run.run(new RunOptions(spec, file, "synthetic", FRAMES, 0, 1, "cpu", 1, null, "npy"), () -> {
        if (sent.incrementAndGet() == 1_000) {
          heapAt1k[0] = retainedHeap();
        }
      });
      long heapAt100k = retainedHeap();
      long growth = heapAt100k - heapAt1k[0];
      System.out.printf("%s: retained heap after 1,000 frames %.1f MB, after 100,000 %.1f MB%n",
          delivery, heapAt1k[0] / 1048576.0, heapAt100k / 1048576.0);
      assertTrue(growth < 16L << 20, "heap grew by " + (growth >> 20) + " MB between 1,000 and 100,000 frames");
    }
    assertEquals(FRAMES, result.sent());
    assertEquals(0, result.lost(), "every frame accounted for");
    if (delivery == Delivery.RELIABLE) {
      assertEquals(FRAMES, result.summary().delivered());
    }
  }

  private static long retainedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
