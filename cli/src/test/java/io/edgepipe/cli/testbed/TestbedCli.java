package io.edgepipe.cli.testbed;

import io.edgepipe.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs {@code pipeline testbed ARGS} as a user types it and keeps what it printed. */
final class TestbedCli {
  record Outcome(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private TestbedCli() {}

  static Outcome run(String... args) {
    PrintStream oldOut = System.out;
    ByteArrayOutputStream sysOut = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try {
      System.setOut(new PrintStream(sysOut, true));
      CommandLine cmd = commandLine();
      List<String> argv = new ArrayList<>();
      if (cmd.getSubcommands().containsKey("testbed")) {
        argv.add("testbed"); // registered in the root command
      }
      argv.addAll(List.of(args));
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      int code = cmd.execute(argv.toArray(String[]::new));
      return new Outcome(code, sysOut + out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }

  /** The root command once it carries {@code testbed}; until then the testbed command alone, with the same error rule. */
  private static CommandLine commandLine() {
    CommandLine root = Main.commandLine();
    if (root.getSubcommands().containsKey("testbed")) {
      return root;
    }
    return new CommandLine(new TestbedCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
        cmd.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
  }
}
