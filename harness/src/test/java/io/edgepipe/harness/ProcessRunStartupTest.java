package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.RunOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `pipeline run --processes`: a stage killed (SIGKILL) while the chain is still starting, before
 * any frame flows, is restarted by the supervisor, and the run delivers every frame exactly once.
 */
class ProcessRunStartupTest {
  private static final Path SPEC = Path.of("..", "pipelines", "thesis.yaml");
  private static final int FRAMES = 200;

  @TempDir
  Path tmp;

  @Test
  @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX) // reads /proc/PID/cmdline
  void aStageKilledWhileTheChainStartsIsRestarted() throws Exception {
    PipelineSpec spec = PipelineSpec.load(SPEC).withInput(24, 32).withDelivery(Delivery.RELIABLE);
    Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
    // the constructor starts the stage JVMs and waits until each is healthy: kill relu meanwhile
    CompletableFuture<ProcessRun> starting = CompletableFuture.supplyAsync(() -> new ProcessRun(spec, SPEC, "cpu",
        (Frame f) -> deliveries.merge(f.getSeq(), 1, Integer::sum), tmp, Delivery.RELIABLE));
    ProcessHandle relu = awaitChild("relu", starting);
    long killedPid = relu.pid();
    assertTrue(relu.destroyForcibly(), "SIGKILL sent to relu (pid " + killedPid + ")");
    relu.onExit().get(10, TimeUnit.SECONDS);

    RunResult result;
    try (ProcessRun run = starting.get(120, TimeUnit.SECONDS)) {
      assertTrue(run.restarts() >= 1, "the supervisor restarted relu");
      assertTrue(!run.pids().contains(killedPid), "relu runs as a new process");
      RunOptions o = new RunOptions(spec, SPEC, "synthetic", FRAMES, 0, 1, "cpu", 1, null, "npy");
      result = run.run(o, () -> { });
    }
    assertEquals(FRAMES, result.sent());
    assertEquals(0, result.lost(), result.summary().toString());
    assertEquals(FRAMES, result.summary().delivered(), "every frame delivered: " + result.summary());
    assertEquals(FRAMES, deliveries.size());
    assertTrue(deliveries.values().stream().allMatch(n -> n == 1), "each frame delivered exactly once");
  }

  /** The stage's process among this JVM's children, as soon as it exists and before the chain is up. */
  private static ProcessHandle awaitChild(String stage, CompletableFuture<ProcessRun> starting) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> child = ProcessHandle.current().children()
          .filter(p -> commandLine(p).contains(" " + io.edgepipe.launcher.StageArgs.MAIN + " " + stage + " "))
          .findFirst();
      if (child.isPresent()) {
        assertTrue(!starting.isDone(), "the chain was still starting when " + stage + " was killed");
        return child.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + stage + " process appeared");
  }

  /** The child's command line from /proc (ProcessHandle.Info leaves long ones out). */
  private static String commandLine(ProcessHandle p) {
    try {
      return new String(java.nio.file.Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException gone) {
      return "";
    }
  }
}
