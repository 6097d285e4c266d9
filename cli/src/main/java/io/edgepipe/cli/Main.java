package io.edgepipe.cli;

import io.edgepipe.launcher.FlagErrors;
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
    CommandLine cli = new CommandLine(new PipelineCommand())
        .setExecutionExceptionHandler(new UserErrors())
        .setParameterExceptionHandler(new FlagErrors())
        .setCaseInsensitiveEnumValuesAllowed(true);
    withVersion(cli);
    return cli;
  }

  /** Every command answers -V/--version with the project version, not only the root. */
  private static void withVersion(CommandLine cmd) {
    cmd.getCommandSpec().versionProvider(new ProjectVersion());
    cmd.getCommandSpec().mixinStandardHelpOptions(true);
    cmd.getSubcommands().values().forEach(Main::withVersion);
  }
}
