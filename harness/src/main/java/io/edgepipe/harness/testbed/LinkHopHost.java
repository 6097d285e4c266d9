package io.edgepipe.harness.testbed;

import io.edgepipe.harness.measure.HopTimer;
import io.edgepipe.runtime.FrameServer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One JVM on a testbed node for {@link LinkHopProbe}: it receives frames or sends them over the
 * node's link, and tells its own process CPU, so a hop over the real link is timed with each
 * end's CPU in its own node (the edge's under its cap). On stdin:
 * <ul>
 *   <li>{@code LISTEN PORT MAXBYTES}: a receiver that parses, counts and drops frames; answered
 *       {@code LISTENING PORT};</li>
 *   <li>{@code CPU}: answered {@code CPU <process CPU ns> <frames received>};</li>
 *   <li>{@code SEND TARGET BYTES SECONDS MINFRAMES MAXBYTES PERIOD_MS}: frames of BYTES to TARGET's
 *       receiver, a few back to back to warm up, then one every PERIOD_MS (back to back while
 *       behind; 0: always) for SECONDS and at least MINFRAMES; answered
 *       {@code SENT <frames> <wall ns> <process CPU ns>} of the timed part.</li>
 * </ul>
 * A failed command is answered {@code ERROR ...}; stdin closing ends it.
 */
public final class LinkHopHost {
  static final String LISTEN = "LISTEN";
  static final String LISTENING = "LISTENING";
  static final String CPU = "CPU";
  static final String SEND = "SEND";
  static final String SENT = "SENT";
  /** Frames sent before the timed ones, at each size (the connection's window and the JIT settle). */
  static final int WARMUP_FRAMES = 3;

  private final LongAdder received = new LongAdder();
  private final Map<String, HopTimer> senders = new HashMap<>();
  private FrameServer receiver;

  public static void main(String[] args) throws IOException {
    LinkHopHost host = new LinkHopHost();
    ChildProtocol.serveStdin(host::handle);
    host.close();
    System.exit(0);
  }

  /** Runs one command; its answer line. */
  String handle(String command) {
    String[] w = command.split(" ");
    try {
      if (w[0].equals(LISTEN) && w.length == 3) {
        if (receiver == null) {
          receiver = HopTimer.dropReceiver("0.0.0.0", Integer.parseInt(w[1]), Long.parseLong(w[2]) + (1L << 20),
              received);
        }
        return LISTENING + " " + receiver.port();
      }
      if (w[0].equals(CPU) && w.length == 1) {
        return CPU + " " + cpuNanos() + " " + received.sum();
      }
      if (w[0].equals(SEND) && w.length == 7) {
        return send(w[1], Long.parseLong(w[2]), Double.parseDouble(w[3]), Integer.parseInt(w[4]), Long.parseLong(w[5]),
            Double.parseDouble(w[6]));
      }
      return ChildProtocol.ERROR + " unknown command: " + command;
    } catch (Exception e) {
      e.printStackTrace();
      return ChildProtocol.ERROR + " " + w[0] + ": " + ChildProtocol.oneLine(e);
    }
  }

  private String send(String target, long bytes, double seconds, int minFrames, long maxBytes, double periodMs) {
    HopTimer timer = senders.computeIfAbsent(target, t -> HopTimer.toReceiver(t, maxBytes));
    io.edgepipe.api.proto.Frame frame = HopTimer.sizedFrame(bytes, "link-probe");
    // the warm-up frames also tell how many frames fill the window
    double pilotMs = timer.measure(frame, 0, WARMUP_FRAMES).ms();
    int frames = (int) Math.max(minFrames, Math.ceil(seconds * 1000 / Math.max(Math.max(pilotMs, periodMs), 1e-3)));
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    timer.pacedMsPerFrame(frame, frames, Math.round(periodMs * 1e6));
    long wall = System.nanoTime() - t0;
    long cpu = cpuNanos() - cpu0;
    return SENT + " " + frames + " " + wall + " " + cpu;
  }

  /**
   * CPU time of this process so far in ns: the sum of its threads' run time
   * ({@code /proc/self/task/* /schedstat}; GC and JIT threads included, threads that ended lost),
   * where the process's own figure comes in 10 ms ticks, too coarse for a few frames over a slow
   * link; that figure where /proc has none.
   */
  static long cpuNanos() {
    java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
    if (!java.nio.file.Files.isDirectory(tasks)) {
      return HopTimer.processCpuNanos();
    }
    long sum = 0;
    try (var list = java.nio.file.Files.list(tasks)) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) list::iterator) {
        try {
          sum += Long.parseLong(java.nio.file.Files.readString(task.resolve("schedstat")).split(" ")[0].strip());
        } catch (IOException | RuntimeException ended) {
          // the thread ended while listed
        }
      }
    } catch (IOException e) {
      return HopTimer.processCpuNanos();
    }
    return sum;
  }

  void close() {
    senders.values().forEach(HopTimer::close);
    if (receiver != null) {
      try {
        receiver.stop(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
