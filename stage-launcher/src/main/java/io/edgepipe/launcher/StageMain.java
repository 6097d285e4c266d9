package io.edgepipe.launcher;

import picocli.CommandLine;

/**
 * Entry point of a stage image and of every stage process a runner starts: {@code NAME [flags]},
 * the same arguments as {@code pipeline stage NAME [flags]} (see {@link StageCommand}). A leading
 * {@code stage} word is accepted too, so that arguments written for the {@code pipeline} command
 * (older manifests) still start the service.
 */
public final class StageMain {
  private StageMain() {}

  public static void main(String[] args) {
    String[] rest = args.length > 0 && args[0].equals("stage") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
    System.exit(commandLine().execute(rest));
  }

  /** The stage command alone, with the same error handling as the {@code pipeline} command. */
  public static CommandLine commandLine() {
    return new CommandLine(new StageCommand())
        .setExecutionExceptionHandler(new UserErrors())
        .setParameterExceptionHandler(new FlagErrors())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }
}
