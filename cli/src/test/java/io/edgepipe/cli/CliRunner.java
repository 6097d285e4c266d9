package io.edgepipe.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs `pipeline ARGS` in this JVM as a user would type it, capturing stdout and stderr. */
public final class CliRunner {
  private CliRunner() {}

  /** Exit code and what the command printed. */
  public record Outcome(int code, String out, String err) {}

  public static Outcome pipeline(String... args) {
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setOut(new PrintStream(out, true));
      CommandLine cmd = Main.commandLine();
      cmd.setErr(new PrintWriter(err, true));
      int code = cmd.execute(args);
      return new Outcome(code, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
    }
  }
}
