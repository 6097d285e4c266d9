package io.edgepipe.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one system command (ip, tc, kill...) and returns what it printed. A failure is a
 * {@link TestbedException} whose one-line message names the command and its stderr.
 */
public final class Sh {
  private static final long TIMEOUT_SECONDS = 30;

  /** What a finished command left. */
  public record Result(List<String> command, int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }

    /** {@code `cmd` failed (exit N): stderr} on one line. */
    public String describeFailure() {
      return "`" + String.join(" ", command) + "` failed (exit " + exit + "): "
          + (err.isBlank() ? out : err).strip().replaceAll("\\s*\\n\\s*", "; ");
    }
  }

  private Sh() {}

  /** Runs the command and returns its stdout; throws when it exits non-zero. */
  public static String run(String... command) {
    Result r = exec(List.of(command));
    if (!r.ok()) {
      throw new TestbedException(r.describeFailure());
    }
    return r.out();
  }

  /** Runs the command and returns everything, whatever its exit code. */
  public static Result exec(List<String> command) {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      return new Result(command, 127, "", "cannot start: " + e.getMessage());
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(command, 124, out.join(), "timed out after " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(command, 130, "", "interrupted");
    }
    return new Result(command, p.exitValue(), out.join(), err.join());
  }

  /** Reads a stream to its end on its own thread (the common pool may have a single worker). */
  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (in) {
        text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        text.complete("");
      }
    }, "sh-drain");
    t.setDaemon(true);
    t.start();
    return text;
  }
}
