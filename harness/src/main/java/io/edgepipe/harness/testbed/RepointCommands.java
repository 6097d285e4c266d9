package io.edgepipe.harness.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The stdin commands of an adaptive testbed child (a stage or the producer):
 * {@code REPOINT HOST:PORT} moves its output to a moved next stage and is answered on stdout,
 * {@code DRAINED} (the producer's) is handed to {@code onOther}. Reads until stdin ends.
 */
final class RepointCommands {
  static final String REPOINT = "REPOINT";
  static final String REPOINTED = "REPOINTED";

  private RepointCommands() {}

  /**
   * @param repoint  sends to the address from now on; returns whether the old next hop drained in time
   * @param say      writes a protocol line for the parent
   * @param onOther  any other line (null: ignored)
   */
  static void follow(InputStream in, Predicate<String> repoint, Consumer<String> say, Consumer<String> onOther) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String command = line.strip();
        if (command.startsWith(REPOINT + " ")) {
          String address = command.substring(REPOINT.length() + 1).strip();
          try {
            boolean drained = repoint.test(address);
            say.accept(REPOINTED + " " + address + " " + (drained ? "drained" : "timeout"));
          } catch (RuntimeException e) {
            say.accept(ChildProtocol.ERROR + " repoint to " + address + " failed: " + e.getMessage());
          }
        } else if (onOther != null && !command.isEmpty()) {
          onOther.accept(command);
        }
      }
    } catch (IOException e) {
      // the parent closed our stdin: no more commands
    }
  }
}
