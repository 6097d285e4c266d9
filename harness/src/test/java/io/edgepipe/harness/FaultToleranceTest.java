package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.producer.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each stage is killed in turn during a 2000-frame run and started again; its neighbours are not
 * restarted. Reliable delivery must deliver all 2000 frames exactly once and in order; realtime
 * must account for every frame (sent = delivered + dropped + rejected, per flow).
 */
class FaultToleranceTest {
  private static final int FRAMES = 2000;
  private static final Path SPEC = Path.of("..", "pipelines", "thesis.yaml");

  @TempDir
  Path tmp;

  private static PipelineSpec spec(Delivery delivery) {
    return PipelineSpec.load(SPEC).withInput(24, 32).withDelivery(delivery);
  }

  /** Calls {@code crash} for stage 0, 1, 2 when the producer has sent 25%, 50%, 75% of the frames. */
  private static Runnable crashingEachStageInTurn(IntConsumer crash) {
    AtomicLong sent = new AtomicLong();
    return () -> {
      long n = sent.incrementAndGet();
      if (n % (FRAMES / 4) == 0 && n < FRAMES) {
        int stage = (int) (n / (FRAMES / 4)) - 1;
        Thread killer = new Thread(() -> crash.accept(stage), "killer");
        killer.start();
      }
    };
  }

  @ParameterizedTest
  @EnumSource(Delivery.class)
  void inOneJvm(Delivery delivery) {
    PipelineSpec spec = spec(delivery);
    Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
    List<Long> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    RunResult result;
    try (EmbeddedRun run = new EmbeddedRun(spec, "cpu", f -> record(f, deliveries, order))) {
      RunOptions o = new RunOptions(spec, SPEC, "synthetic", FRAMES, delivery == Delivery.REALTIME ? 2000 : 0, 1,
          "cpu", 1, null, "npy");
      result = run.run(o, crashingEachStageInTurn(i -> run.crashAndRestart(i, 200)));
    }
    check(delivery, result, deliveries, order);
  }

  @ParameterizedTest
  @EnumSource(Delivery.class)
  void acrossProcessesWithKillDashNine(Delivery delivery) {
    PipelineSpec spec = spec(delivery);
    Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
    List<Long> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    RunResult result;
    try (ProcessRun run = new ProcessRun(spec, SPEC, "cpu", f -> record(f, deliveries, order), tmp, delivery)) {
      RunOptions o = new RunOptions(spec, SPEC, "synthetic", FRAMES, delivery == Delivery.REALTIME ? 1000 : 0, 1,
          "cpu", 1, null, "npy");
      // Warm the three fresh stage JVMs first: cold, they can take longer than the 0.5 s before the
      // first kill to answer their first frames, and a realtime run at 1000 fps then drops all of
      // them (seen on a busy CI machine: delivered 0). The kills below all happen in the measured run.
      run.warmUp(new RunOptions(spec, SPEC, "synthetic", 200, 0, 1, "cpu", 1, null, "npy"), () -> { });
      result = run.run(o, crashingEachStageInTurn(i -> ProcessHandle.of(run.pids().get(i)).ifPresent(ProcessHandle::destroyForcibly)));
      assertEquals(3, run.restarts(), "the supervisor restarted each killed stage");
    }
    check(delivery, result, deliveries, order);
  }

  private static void record(Frame f, Map<Long, Integer> deliveries, List<Long> order) {
    deliveries.merge(f.getSeq(), 1, Integer::sum);
    order.add(f.getSeq());
  }

  private static void check(Delivery delivery, RunResult result, Map<Long, Integer> deliveries, List<Long> order) {
    RunSummary s = result.summary();
    assertEquals(FRAMES, result.sent());
    assertEquals(0, result.lost(), "every frame is accounted for: " + s);
    assertEquals(FRAMES, s.delivered() + s.dropped() + s.rejected());
    if (delivery == Delivery.RELIABLE) {
      assertEquals(FRAMES, s.delivered(), "reliable delivers every frame: " + s);
      assertEquals(FRAMES, deliveries.size());
      assertTrue(deliveries.values().stream().allMatch(n -> n == 1), "each exactly once");
      for (int i = 0; i < order.size(); i++) {
        assertEquals(i, order.get(i), "in order");
      }
    } else {
      assertTrue(deliveries.values().stream().allMatch(n -> n == 1), "realtime never delivers a frame twice");
      assertEquals(0, s.gaps(), "no frame unaccounted for");
      assertTrue(s.delivered() > 0, "some frames get through: " + s);
    }
  }
}
