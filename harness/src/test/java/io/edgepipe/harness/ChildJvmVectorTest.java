package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.VectorApi;
import io.edgepipe.launcher.RunOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `pipeline run --processes` starts its stage JVMs with the Vector API resolved, so their CPU twins
 * take the fast path as the embedded run's do: each stage says so in its log when it starts.
 */
class ChildJvmVectorTest {
  private static final Path SPEC = Path.of("..", "pipelines", "thesis.yaml");

  @TempDir
  Path logs;

  @Test
  void everyStageProcessHasTheVectorApi() throws Exception {
    assertEquals(VectorApi.JVM_FLAGS, VectorApi.childJvmFlags(), "the JDK running the tests has " + VectorApi.MODULE);
    PipelineSpec spec = PipelineSpec.load(SPEC).withInput(24, 32).withDelivery(Delivery.RELIABLE);
    RunResult result;
    try (ProcessRun run = new ProcessRun(spec, SPEC, "cpu", null, logs, Delivery.RELIABLE)) {
      result = run.run(new RunOptions(spec, SPEC, "synthetic", 5, 0, 1, "cpu", 1, null, "npy"), () -> { });
    }
    assertEquals(5, result.summary().delivered(), result.summary().toString());
    for (String stage : new String[] {"conv", "relu", "maxpool"}) {
      String log = Files.readString(logs.resolve(stage + ".log"));
      assertTrue(log.contains(stage + ": Vector API active (" + VectorApi.MODULE + ")"), stage + "'s log:\n" + log);
    }
  }
}
