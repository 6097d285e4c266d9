package io.edgepipe.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process started on a testbed node. Its stdout and stderr are copied line by line to its
 * log; lines that start with {@value #PROTOCOL} are also handed to {@link #nextMessage} (how a
 * child says READY, reports progress or returns a result), and {@link #tell} writes a line to
 * its stdin. {@link #stop} is SIGTERM, then SIGKILL; always by this process's own PID.
 */
public final class NodeProcess implements AutoCloseable {
  /** Prefix of the lines a child writes for its parent rather than for the log. */
  public static final String PROTOCOL = "EDGEPIPE-TB ";
  /** Returned by {@link #nextMessage} once the child's output has ended. */
  public static final String EOF = "\u0000EOF";

  private final String name;
  private final Process process;
  private final Path log;
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final PrintWriter stdin;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new PrintWriter(new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    Thread pump = new Thread(this::pump, "log-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  public static NodeProcess start(String name, List<String> command, Path log) {
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new NodeProcess(name, p, log);
    } catch (IOException e) {
      throw new TestbedException("cannot start " + name + " (`" + String.join(" ", command) + "`): " + e.getMessage());
    }
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
             StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(PROTOCOL)) {
          messages.add(line.substring(PROTOCOL.length()));
        }
        out.write(line);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      // the child is gone; what it wrote is in the log
    } finally {
      messages.add(EOF);
    }
  }

  /** The next protocol line (without its prefix), {@link #EOF} when the output ended, or null on timeout. */
  public String nextMessage(Duration timeout) throws InterruptedException {
    String m = messages.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (EOF.equals(m)) {
      messages.add(EOF); // stays at the end for later callers
    }
    return m;
  }

  /**
   * Waits for the first protocol line that {@code wanted} accepts, passing over the others: that
   * line, {@link #EOF} when the output ended first, or null when {@code timeout} passed first.
   */
  public String awaitMessage(Predicate<String> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      String m = nextMessage(Duration.ofNanos(left));
      if (m == null || EOF.equals(m) || wanted.test(m)) {
        return m;
      }
    }
    return null;
  }

  /**
   * Waits for a protocol line starting with {@code word} and returns it; a TestbedException naming
   * the log when the output ends or {@code timeout} passes first, or the wait is interrupted (the
   * interrupt stays set).
   */
  public String expect(String word, Duration timeout) {
    try {
      String m = awaitMessage(line -> line.startsWith(word), timeout);
      if (m != null && !m.equals(EOF)) {
        return m;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new TestbedException(name + " did not say " + word + " in " + timeout.toSeconds() + " s; see " + log);
  }

  /** Writes one line to the child's stdin. */
  public void tell(String line) {
    stdin.println(line);
    if (stdin.checkError()) {
      throw new UncheckedIOException(new IOException(name + " no longer reads its stdin"));
    }
  }

  public void closeStdin() {
    stdin.close();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** Waits for the process to end by itself; false on timeout. */
  public boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * SIGTERM (a stage drains), wait up to {@code grace}, then SIGKILL. The signal goes through
   * the process handle: {@code Process.destroy()} would also close our end of its output, and
   * what it prints while shutting down would be lost.
   */
  public void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.toHandle().destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** SIGTERM without waiting (the caller waits with {@link #waitFor}). */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL now (Ctrl-C path). */
  public void kill() {
    process.destroyForcibly();
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

}
