package io.edgepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The stage flag that limits a stage process's kernel threads. */
class KernelThreadsTest {
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
