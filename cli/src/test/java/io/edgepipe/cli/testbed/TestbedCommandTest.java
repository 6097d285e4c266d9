package io.edgepipe.cli.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.testbed.Testbed;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The testbed commands without building anything (no root needed). */
class TestbedCommandTest {
  private BooleanSupplier realCheck;

  @BeforeEach
  void remember() {
    realCheck = TestbedCommand.rootCheck;
  }

  @AfterEach
  void restore() {
    TestbedCommand.rootCheck = realCheck;
  }

  @Test
  void withoutRootEverySubcommandSaysSoInOneLineWithExitCodeTwo() {
    TestbedCommand.rootCheck = () -> false;
    String[][] commands = {{"up"}, {"down"}, {"status"}, {"run", "--placement", "EESS"}};
    for (String[] c : commands) {
      TestbedCli.Outcome r = TestbedCli.run(c);
      assertEquals(2, r.code(), String.join(" ", c) + ": " + r.all());
      assertEquals(Testbed.NEEDS_ROOT, r.err().strip(), String.join(" ", c));
      assertEquals("pipeline testbed needs root (network namespaces, tc, cgroups)", r.err().strip());
    }
  }

  @Test
  void helpListsTheFourSubcommands() {
    TestbedCli.Outcome r = TestbedCli.run("--help");
    assertEquals(0, r.code(), r.all());
    for (String sub : new String[] {"up", "down", "status", "run"}) {
      assertTrue(r.out().contains("  " + sub + " "), sub + " in:\n" + r.out());
    }
    TestbedCli.Outcome up = TestbedCli.run("up", "--help");
    for (String flag : new String[] {"--bandwidth", "--delay", "--edge-cpu", "--subnet"}) {
      assertTrue(up.out().contains(flag), flag + " in:\n" + up.out());
    }
    TestbedCli.Outcome run = TestbedCli.run("run", "--help");
    for (String flag : new String[] {"--placement", "--spec", "--frames", "--fps", "--flows", "--width", "--height"}) {
      assertTrue(run.out().contains(flag), flag + " in:\n" + run.out());
    }
  }

  @Test
  void badFlagValuesAreOneLineErrors() {
    TestbedCommand.rootCheck = () -> true;
    TestbedCli.Outcome r = TestbedCli.run("up", "--bandwidth", "fast", "--prefix", "edgepipe-none");
    assertEquals(2, r.code(), r.all());
    assertTrue(r.err().contains("bad rate 'fast'"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }
}
