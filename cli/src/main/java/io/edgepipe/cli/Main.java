package io.edgepipe.cli;

import io.edgepipe.launcher.UserErrors;

import picocli.CommandLine;

/** Entry point of the {@code pipeline} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (tests run commands through it too). */
  public static CommandLine commandLine() {
    return new CommandLine(new PipelineCommand())
        .setExecutionExceptionHandler(new UserErrors())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }
}
