package io.edgepipe.harness.adaptive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.producer.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Three moves during a reliable run on loopback (conv, relu, then conv again, at 25%, 50% and
 * 75% of the frames): every frame delivered exactly once and in order. The testbed version (the
 * stage restarted in the other node's network namespace) needs root and is not part of this test.
 */
class RelocatableRunTest {
  static final Path SPEC = Path.of("../pipelines/thesis.yaml");
  static final int FRAMES = 800;

  @Test
  void threeMovesLoseAndDuplicateNothing() throws Exception {
    PipelineSpec spec = PipelineSpec.load(SPEC).withInput(24, 32).withDelivery(Delivery.RELIABLE);
    Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
    List<Long> order = new CopyOnWriteArrayList<>();
    List<Thread> movers = new CopyOnWriteArrayList<>();
    java.util.Set<String> ports = ConcurrentHashMap.newKeySet();
    List<String> failures = new CopyOnWriteArrayList<>();
    RunResult result;
    int moves;
    try (RelocatableRun run = new RelocatableRun(spec, "cpu", f -> {
      deliveries.merge(f.getSeq(), 1, Integer::sum);
      order.add(f.getSeq());
    })) {
      ports.add("0:" + run.port(0));
      ports.add("1:" + run.port(1));
      AtomicLong sent = new AtomicLong();
      int[] plan = {0, 1, 0}; // conv, relu, conv
      Runnable progress = () -> {
        long n = sent.incrementAndGet();
        if (n % (FRAMES / 4) == 0 && n < FRAMES) {
          int stage = plan[(int) (n / (FRAMES / 4)) - 1];
          Thread mover = new Thread(() -> {
            run.move(stage);
            ports.add(stage + ":" + run.port(stage));
          }, "mover");
          mover.setUncaughtExceptionHandler((t, e) -> {
            java.io.StringWriter w = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(w));
            failures.add(w.toString());
          });
          movers.add(mover);
          mover.start();
        }
      };
      RunOptions o = new RunOptions(spec, SPEC, "synthetic", FRAMES, 400, 1, "cpu", 1, null, "npy");
      result = run.run(o, progress);
      for (Thread mover : movers) {
        mover.join(60_000);
      }
      moves = run.moves();
    }
    RunSummary s = result.summary();
    assertEquals(List.of(), failures);
    assertEquals(3, moves, "three moves while frames flowed");
    assertEquals(5, ports.size(), "conv served on three ports in turn, relu on two: " + ports);
    assertEquals(FRAMES, result.sent());
    assertEquals(0, result.lost(), "0 lost: " + s);
    assertEquals(FRAMES, s.delivered(), "every frame delivered: " + s);
    assertEquals(FRAMES, deliveries.size());
    assertTrue(deliveries.values().stream().allMatch(n -> n == 1), "0 duplicated");
    for (int i = 0; i < order.size(); i++) {
      assertEquals(i, order.get(i), "in order");
    }
  }
}
