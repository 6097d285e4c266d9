package io.edgepipe.cli.testbed;

import picocli.CommandLine;

/** Test child: {@code pipeline testbed ARGS} in a process of its own (to be interrupted). */
public final class TestbedMain {
  private TestbedMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new TestbedCommand()).execute(args));
  }
}
