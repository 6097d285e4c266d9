package io.edgepipe.harness.testbed;

import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.testbed.TestbedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import picocli.CommandLine;

/**
 * The lines a testbed child ({@link TestbedProducer}, {@link TestbedStage}) and {@link TestbedRun}
 * exchange, and the child's side of it: the child writes {@code EDGEPIPE-TB <WORD> ...} lines on
 * stdout (everything else is log) with {@link #say}; the parent answers on the child's stdin.
 */
final class ChildProtocol {
  /** child: the sink listens and every stage answered its health check. */
  static final String READY = "READY";
  /** child: {@code FRAMES n}: n more frames were handed to the first stage (progress). */
  static final String FRAMES = "FRAMES";
  /** child: every frame was sent and answered by the first stage; stop the stages now. */
  static final String SENT = "SENT";
  /** parent: the stages are stopped (drained); summarise. */
  static final String DRAINED = "DRAINED";
  /** child: the warm-up (if any) is over and every frame of it accounted for; the main phase starts now. */
  static final String MAIN = "MAIN";
  /** child: {@code PHASE <RunResult as JSON>}: an earlier phase of a run with several (the last is RESULT). */
  static final String PHASE = "PHASE";
  /** child: {@code RESULT <RunResult as JSON>}. */
  static final String RESULT = "RESULT";
  /** child: {@code ERROR <one line>}; it exits 1. */
  static final String ERROR = "ERROR";

  private ChildProtocol() {}

  /** Writes one protocol line for the parent (whole lines: the threads of a child share stdout). */
  static synchronized void say(String line) {
    System.out.println(NodeProcess.PROTOCOL + line);
    System.out.flush();
  }

  /**
   * A child's {@code main}: runs the picocli command; a failure is said as one {@code ERROR} line
   * (its stack trace goes to the log) and exits 1.
   */
  static void runChild(Object command, String[] args) {
    int code = new CommandLine(command).setExecutionExceptionHandler((e, cmd, parsed) -> {
      say(ERROR + " " + oneLine(e));
      e.printStackTrace();
      return 1;
    }).execute(args);
    System.exit(code);
  }

  /** A failure's message as it goes on an {@code ERROR} line: one line ("null" when it has none). */
  static String oneLine(Throwable e) {
    return String.valueOf(e.getMessage()).replace('\n', ' ');
  }

  /**
   * The {@code main} loop of a command host ({@link LinkHopHost}, {@link PartitionHost}): says
   * {@code READY}, then answers each non-blank line of stdin with the line {@code handler} returns,
   * until stdin closes (the parent is done, or gone).
   */
  static void serveStdin(UnaryOperator<String> handler) throws IOException {
    serve(new InputStreamReader(System.in, StandardCharsets.UTF_8), handler, ChildProtocol::say);
  }

  /** {@link #serveStdin} over any input, answering to {@code say} (so a test can drive it). */
  static void serve(Reader commands, UnaryOperator<String> handler, Consumer<String> say) throws IOException {
    say.accept(READY);
    try (BufferedReader in = new BufferedReader(commands)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          say.accept(handler.apply(line.strip()));
        }
      }
    }
  }

  /**
   * The parent's side of a command host: tells {@code host} one command and waits for the line
   * {@code answer} accepts; a TestbedException naming the command and the host's log when the host
   * answers {@code ERROR}, exits, or says nothing in {@code timeout}.
   */
  static String ask(NodeProcess host, String command, Predicate<String> answer, Duration timeout) {
    host.tell(command);
    String m;
    try {
      m = host.awaitMessage(line -> answer.test(line) || line.startsWith(ERROR), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("interrupted waiting for " + host.name() + " to answer `" + command + "`");
    }
    if (m == null) {
      throw new TestbedException(host.name() + " did not answer `" + command + "` in " + timeout.toSeconds() + " s; see "
          + host.log());
    }
    if (m.equals(NodeProcess.EOF) || !answer.test(m)) {
      throw new TestbedException(host.name() + ": " + (m.equals(NodeProcess.EOF) ? "exited" : m) + " (after `" + command
          + "`); see " + host.log());
    }
    return m;
  }
}
