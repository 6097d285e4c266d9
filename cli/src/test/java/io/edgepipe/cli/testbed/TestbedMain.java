package io.edgepipe.cli.testbed;

import io.edgepipe.cli.Main;

/** Test child: {@code pipeline testbed ARGS} in a process of its own (to be interrupted). */
public final class TestbedMain {
  private TestbedMain() {}

  public static void main(String[] args) {
    // the configured root command, so flags parse as they do for users (case-insensitive enums)
    String[] withRoot = new String[args.length + 1];
    withRoot[0] = "testbed";
    System.arraycopy(args, 0, withRoot, 1, args.length);
    System.exit(Main.commandLine().execute(withRoot));
  }
}
