package io.edgepipe.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.CliRunner;
import io.edgepipe.cli.CliRunner.Outcome;
import org.junit.jupiter.api.Test;

/**
 * `pipeline run --adaptive` refuses what it cannot do in one line with exit code 2, before it
 * touches a testbed (the adaptive run itself is AdaptiveTestbedRunTest's, as root).
 */
class AdaptiveRunFlagsTest {
  @Test
  void adaptiveWithAnotherModeIsOneLineAndExitTwo() {
    Outcome r = CliRunner.pipeline("run", "--adaptive", "--monolith", "--spec", "../pipelines/thesis.yaml",
        "--device", "cpu", "--no-progress");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--adaptive runs on the testbed"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void adaptiveWithoutAProfileOrRootIsOneLineAndExitTwo() {
    Outcome r = CliRunner.pipeline("run", "--adaptive", "--spec", "../pipelines/thesis.yaml", "--device", "cpu",
        "--no-progress");
    assertEquals(2, r.code(), r.out() + r.err());
    // as root the missing profile is named; otherwise root is
    assertTrue(r.err().contains("needs --profile") || r.err().contains("needs root"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void testbedSetWithNothingToSetIsOneLineAndExitTwo() {
    Outcome r = CliRunner.pipeline("testbed", "set", "--prefix", "edgepipe-none");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }
}
