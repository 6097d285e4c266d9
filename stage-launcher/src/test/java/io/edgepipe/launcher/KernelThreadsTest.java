package io.edgepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Stage processes started side by side on one host share its cores out among their kernels. */
class KernelThreadsTest {
  @Test
  void coresAreSharedOutAmongTheStagesAtLeastOneEach() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, StageArgs.kernelThreads(1));
    assertEquals(Math.max(1, cores / 3), StageArgs.kernelThreads(3));
    assertEquals(1, StageArgs.kernelThreads(cores + 1));
  }

  @Test
  void everyStageProcessGetsItsShare() throws Exception {
    Path specFile = Path.of("..", "pipelines", "thesis.yaml");
    PipelineSpec spec = PipelineSpec.load(specFile);
    List<String> args = StageArgs.of(spec, specFile, "conv", "127.0.0.1", 1, "127.0.0.1:2", "cpu", "local", null);
    int at = args.indexOf("--kernel-threads");
    assertTrue(at > 0, args.toString());
    assertEquals(String.valueOf(StageArgs.kernelThreads(spec.layers().size())), args.get(at + 1));
  }

  @Test
  void aNegativeCountIsOneLineAndExitCodeTwo() {
    CommandLine cmd = StageMain.commandLine();
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute("conv", "--spec", Path.of("..", "pipelines", "thesis.yaml").toString(), "--next",
        "localhost:1", "--metrics-port", "-1", "--kernel-threads", "-1");
    assertEquals(2, code, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().contains("--kernel-threads"), err.toString());
  }
}
