package io.edgepipe.harness.testbed;

import io.edgepipe.harness.adaptive.SwitchableDownstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The stdin commands of an adaptive testbed child (a stage or the producer):
 * {@code REPOINT HOST:PORT} moves its output to a moved next stage, make-before-break: it is
 * answered {@code SWITCHED HOST:PORT} as soon as new frames go there, and
 * {@code REPOINTED HOST:PORT drained|timeout} once the old next stage has answered every frame it
 * had been sent (the drain runs in its own thread, so later commands are not held up by it).
 * Any other line ({@code DRAINED}, the producer's {@code STOP}, ...) goes to {@code onOther}.
 * Reads until stdin ends.
 */
final class RepointCommands {
  static final String REPOINT = "REPOINT";
  static final String SWITCHED = "SWITCHED";
  static final String REPOINTED = "REPOINTED";

  private RepointCommands() {}

  /**
   * @param switchTo sends to the address from now on; returns the old next hop's drain
   * @param say      writes a protocol line for the parent
   * @param onOther  any other line (null: ignored)
   */
  static void follow(InputStream in, Function<String, SwitchableDownstream.Drain> switchTo, Consumer<String> say,
      Consumer<String> onOther) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String command = line.strip();
        if (command.startsWith(REPOINT + " ")) {
          repoint(command.substring(REPOINT.length() + 1).strip(), switchTo, say);
        } else if (onOther != null && !command.isEmpty()) {
          onOther.accept(command);
        }
      }
    } catch (IOException e) {
      // the parent closed our stdin: no more commands
    }
  }

  private static void repoint(String address, Function<String, SwitchableDownstream.Drain> switchTo,
      Consumer<String> say) {
    SwitchableDownstream.Drain drain;
    try {
      drain = switchTo.apply(address);
    } catch (RuntimeException e) {
      say.accept(ChildProtocol.ERROR + " repoint to " + address + " failed: " + e.getMessage());
      return;
    }
    say.accept(SWITCHED + " " + address);
    Thread t = new Thread(() -> {
      boolean drained = drain.await(TestbedStage.REPOINT_TIMEOUT_MS);
      say.accept(REPOINTED + " " + address + " " + (drained ? "drained" : "timeout"));
    }, "drain-" + address);
    t.setDaemon(true);
    t.start();
  }
}
