package io.edgepipe.harness.testbed;

import io.edgepipe.planner.profile.Profile;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedState;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times a hop over the testbed's real edge-server link at each rate and a few payload sizes,
 * with the sender's process CPU (on the edge node, under its cap) and the receiver's (on the
 * server): what a cut's hop costs each end per frame and per byte, which a loopback hop inside
 * one process does not show (on the model-cuts sweeps the edge spent up to 1.4 ms a frame more
 * at 100 Mbit than at 1 Gbit for the same cut, growing with the bytes). One {@link LinkHopHost}
 * per node; the rate is changed under the open connection as the sweep does; each figure is the
 * median of {@code repeats} windows; the rate the testbed had is put back.
 */
public final class LinkHopProbe {
  /** The receiver's port on the server node (below the partition sweep's ports). */
  static final int PORT = 50290;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /**
   * @param rates     link rates, bit/s
   * @param sizes     payload bytes
   * @param seconds   each timed window (at least {@code minFrames} frames)
   * @param repeats   windows per rate and size (the median is kept)
   * @param linkShare frames are paced to fill this share of the link (0: back to back). Why not
   *                  back to back: a sender held back by the link writes each freed bit of the
   *                  socket's buffer as it comes, at many wake-ups per frame (the classifier's
   *                  sender at 100 Mbit/s spent 24 ns/B so against ~4 ns/B more than at 1 Gbit in
   *                  the running chain). The edge's CPU only limits a chain that leaves its link
   *                  room, so that is the case to time; a sender slower than the pace (its CPU
   *                  cap) still goes back to back.
   */
  public record Settings(List<Long> rates, List<Long> sizes, double seconds, int minFrames, int repeats,
      double linkShare) {}

  private LinkHopProbe() {}

  /** Sizes to time for hops of {@code min..max} bytes: both ends and {@code n - 2} between, evenly on a log scale. */
  public static List<Long> sizes(long min, long max, int n) {
    long lo = Math.max(64, min);
    long hi = Math.max(lo, max);
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long s = Math.round(lo * Math.pow((double) hi / lo, n == 1 ? 0 : (double) i / (n - 1)));
      if (!sizes.contains(s)) {
        sizes.add(s);
      }
    }
    return sizes;
  }

  public static List<Profile.LinkHop> run(TestbedState state, Path logDir, Settings s, PrintStream log) {
    TestbedState current = state;
    long maxBytes = s.sizes().stream().mapToLong(Long::longValue).max().orElse(0);
    var launcher = Testbed.launcher(state);
    NodeProcess edge = launcher.startJava("link-probe-edge", Node.EDGE, List.of("-Xmx512m"),
        LinkHopHost.class.getName(), List.of(), logDir.resolve("link-probe-edge.log"));
    NodeProcess server = launcher.startJava("link-probe-server", Node.SERVER, List.of("-Xmx512m"),
        LinkHopHost.class.getName(), List.of(), logDir.resolve("link-probe-server.log"));
    try {
      edge.expect(ChildProtocol.READY, COMMAND_TIMEOUT);
      server.expect(ChildProtocol.READY, COMMAND_TIMEOUT);
      String port = ask(server, LinkHopHost.LISTEN + " " + PORT + " " + maxBytes, LinkHopHost.LISTENING).split(" ")[1];
      String target = state.address(Node.SERVER) + ":" + port;
      current = setRate(current, s.rates().get(0));
      for (long size : s.sizes()) {
        send(edge, target, size, 1.0, 20, maxBytes, 0); // the JIT of both ends at every size, not timed
      }
      List<Profile.LinkHop> hops = new ArrayList<>();
      for (long rate : s.rates()) {
        current = setRate(current, rate);
        double[][][] figures = new double[s.sizes().size()][3][s.repeats()];
        for (int r = 0; r < s.repeats(); r++) {
          for (int i = 0; i < s.sizes().size(); i++) {
            long[] before = cpu(server);
            long[] sent = send(edge, target, s.sizes().get(i), s.seconds(), s.minFrames(), maxBytes,
                s.linkShare() > 0 ? s.sizes().get(i) * 8.0 / rate * 1000 / s.linkShare() : 0);
            long[] after = cpu(server);
            figures[i][0][r] = sent[1] / 1e6 / sent[0];
            figures[i][1][r] = sent[2] / 1e6 / sent[0];
            long got = after[1] - before[1];
            figures[i][2][r] = got > 0 ? (after[0] - before[0]) / 1e6 / got : Double.NaN;
          }
        }
        for (int i = 0; i < s.sizes().size(); i++) {
          double receiver = median(figures[i][2]);
          Profile.LinkHop h = new Profile.LinkHop(rate, s.sizes().get(i), median(figures[i][0]), median(figures[i][1]),
              Double.isFinite(receiver) ? receiver : null);
          hops.add(h);
          log.printf(Locale.ROOT, "link hop at %.0f Mbit/s, %d B: %.3f ms a frame, sender CPU %.3f ms, receiver %.3f ms%n",
              rate / 1e6, h.bytes(), h.ms(), h.senderCpuMs(), receiver);
        }
      }
      return hops;
    } finally {
      edge.closeStdin();
      server.closeStdin();
      edge.stop(Duration.ofSeconds(10));
      server.stop(Duration.ofSeconds(10));
      if (current.bandwidthBps() != state.bandwidthBps()) {
        Testbed.setLinkRate(current, state.bandwidthBps());
      }
    }
  }

  private static TestbedState setRate(TestbedState state, long bps) {
    return bps == state.bandwidthBps() ? state : Testbed.setLinkRate(state, bps);
  }

  /** {frames, wall ns, CPU ns} of one timed window. */
  private static long[] send(NodeProcess edge, String target, long bytes, double seconds, int minFrames, long maxBytes,
      double periodMs) {
    String[] w = ask(edge, String.format(Locale.ROOT, "%s %s %d %.3f %d %d %.4f", LinkHopHost.SEND, target, bytes,
        seconds, minFrames, maxBytes, periodMs), LinkHopHost.SENT).split(" ");
    return new long[] {Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3])};
  }

  /** {process CPU ns, frames received} of the receiver. */
  private static long[] cpu(NodeProcess server) {
    String[] w = ask(server, LinkHopHost.CPU, LinkHopHost.CPU).split(" ");
    return new long[] {Long.parseLong(w[1]), Long.parseLong(w[2])};
  }

  private static String ask(NodeProcess p, String command, String answer) {
    return ChildProtocol.ask(p, command, m -> m.startsWith(answer), COMMAND_TIMEOUT);
  }

  static double median(double[] values) {
    double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
