package io.edgepipe.launcher;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * A flag the command cannot parse (a bad number, an unknown option, a missing value) is one line
 * on stderr naming the flag, and exit code 2; the whole help would bury the one line that matters.
 */
public final class FlagErrors implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = e.getMessage() == null ? "bad arguments" : e.getMessage().strip().replace('\n', ' ');
    err.println(cmd.getColorScheme().errorText("error: " + message + " (see '"
        + cmd.getCommandSpec().qualifiedName() + " --help')"));
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
