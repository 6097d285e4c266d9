package io.edgepipe.harness.testbed;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.harness.testbed.ProducerReports.Report;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.NodeLauncher;
import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedException;
import io.edgepipe.testbed.TestbedState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One start of the testbed's JVMs for many partitionings of a model and many link rates: a
 * {@link PartitionHost} per node, and the producer with its sink on the edge streaming
 * without end (an adaptive {@link TestbedProducer}: it reports what was delivered every {@value #REPORT_MS} ms
 * and takes {@code REPOINT} and {@code PACE}). {@link #load} swaps the chain for another cut's
 * partitions (the new services start in the warm hosts, the producer is repointed once the old
 * first service answered every frame, the old ones drain and stop); {@link #setLinkRate} changes
 * the shaped link under it; {@link #measure} reads a window of frames. Every child is stopped by
 * its PID on {@link #close}, on failure and on Ctrl-C. Needs a testbed without delay.
 */
public final class PartitionSweep implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final int BASE_PORT = 50300;
  /** The producer's report period here: every window ends on a report, so a sweep of many short cells wants them often. */
  public static final long REPORT_MS = 100;

  /** One service of a partitioning: a service NAME of {@code specFile}, on a node. */
  public record Partition(String name, Node node, Path specFile) {}

  /**
   * What one window of frames showed.
   *
   * @param foreignFrames frames of the window that went through services other than the loaded ones
   * @param edgeCpuMs     CPU (ms of one core) the edge node's processes used per delivered frame in the window
   *                      (producer and sink included), NaN when no frame arrived
   * @param serverCpuMs   the same for the server node
   */
  public record Window(double fps, long frames, double seconds, double latencyP50Ms, long foreignFrames,
      double edgeCpuMs, double serverCpuMs) {}

  /**
   * When a window ends: after {@code settleSeconds} left out, at least {@code minFrames} and
   * {@code minSeconds}, then as soon as the rate of its first half is within {@code stablePct}% of
   * its second half's, or at {@code maxSeconds} whatever the rate does.
   */
  public record Rule(double settleSeconds, long minFrames, double minSeconds, double maxSeconds, double stablePct) {
    public Rule withSettle(double seconds) {
      return new Rule(seconds, minFrames, minSeconds, maxSeconds, stablePct);
    }
  }

  private final TestbedState initial;
  private volatile TestbedState state;
  private final Path logDir;
  private final String device;
  private final NodeLauncher launcher;
  private final Map<Node, NodeProcess> hosts = new EnumMap<>(Node.class);
  private final List<Partition> loaded = new ArrayList<>();
  /** The producer's reports; windows look back seconds, so a few thousand are plenty. */
  private final ProducerReports reports = new ProducerReports(4000);
  private final BlockingQueue<String> producerReplies = new LinkedBlockingQueue<>();
  /** Frames the producer reported handed to the first stage ({@code FRAMES n} lines; the last few may be unreported). */
  private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
  private volatile NodeProcess producer;
  private volatile String producerFailure;
  private volatile io.edgepipe.harness.RunResult result;
  private Thread reader;
  private Thread ctrlC;
  private int generation;

  public PartitionSweep(TestbedState state, Path logDir, String device) {
    if (state.delayMicros() > 0) {
      throw new TestbedException("a partition sweep needs a testbed without delay (its services move between ports)");
    }
    this.initial = state;
    this.state = state;
    this.logDir = logDir;
    this.device = device;
    this.launcher = Testbed.launcher(state);
  }

  /**
   * Starts both hosts, {@code first}'s services, and the producer on the edge, streaming as fast
   * as the chain goes.
   *
   * @param producerSpec the spec the producer reads (its input size and delivery)
   */
  public void start(PipelineSpec producerSpec, Path producerSpecFile, String source, List<Partition> first) {
    ctrlC = new Thread(this::killAll, "partition-sweep-ctrl-c");
    Runtime.getRuntime().addShutdownHook(ctrlC);
    for (Node n : Node.values()) {
      NodeProcess p = launcher.startJava("host-" + n.word(), n, TestbedRun.ACROSS_HOSTS, PartitionHost.class.getName(),
          List.of(device, n.word()), logDir.resolve("host-" + n.word() + ".log"));
      hosts.put(n, p);
    }
    for (NodeProcess p : hosts.values()) {
      p.expect(ChildProtocol.READY, START_TIMEOUT);
    }
    List<Integer> ports = startServices(first);
    Node edge = Node.EDGE;
    String next = addressOf(first.get(0).node(), ports.get(0), edge);
    List<String> args = new ArrayList<>(List.of("--spec", producerSpecFile.toAbsolutePath().toString(),
        "--height", String.valueOf(producerSpec.input().h()), "--width", String.valueOf(producerSpec.input().w()),
        "--delivery", producerSpec.delivery().label(), "--deadline-ms", String.valueOf(producerSpec.deadlineMillis()),
        "--source", source, "--frames", "0", "--fps", "0", "--flows", "1", "--seed", "1", "--device", device,
        "--node", edge.word(), "--sink-port", String.valueOf(BASE_PORT), "--next", next, "--mode",
        "partition-sweep", "--adaptive", "--report-ms", String.valueOf(REPORT_MS), "--await", first.get(0).name() + "=" + next));
    producer = launcher.startJava("producer", edge, TestbedRun.ACROSS_HOSTS, TestbedProducer.class.getName(), args,
        logDir.resolve("producer.log"));
    reader = new Thread(this::readProducer, "partition-sweep-producer");
    reader.setDaemon(true);
    reader.start();
    awaitReply(ChildProtocol.MAIN, START_TIMEOUT);
  }

  /**
   * Swaps the running partitions for {@code next}'s: starts them (last first, so each one's next
   * hop listens), points the producer at the first once the old first service has answered every
   * frame, then drains and stops the old ones in chain order.
   */
  public void load(List<Partition> next) {
    List<Partition> old = List.copyOf(loaded);
    List<Integer> ports = startServices(next);
    String address = addressOf(next.get(0).node(), ports.get(0), Node.EDGE);
    producer.tell(RepointCommands.REPOINT + " " + address);
    awaitReply(RepointCommands.REPOINTED + " " + address, COMMAND_TIMEOUT);
    for (Partition p : old) {
      command(p.node(), PartitionHost.STOP + " " + p.name(), PartitionHost.STOPPED + " " + p.name());
    }
    loaded.removeAll(old);
  }

  /** The link's rate from now on, both directions (tc change: connections stay up). */
  public void setLinkRate(long bps) {
    if (bps != state.bandwidthBps()) {
      state = Testbed.setLinkRate(state, bps);
    }
  }

  /** Frames at {@code fps} from now on; 0 = as fast as the chain takes them. */
  public void pace(double fps) {
    producer.tell(AdaptiveControl.PACE + " " + fps);
  }

  /**
   * Holds the producer until the frames queued at {@code fps} have arrived (see {@link QueueDrain}),
   * so that a paced window after it measures a frame's way through the chain. The pace stays held:
   * set the next one after. Where nothing is queued (every frame the producer reported sent has
   * arrived) it waits only for the few it may not have reported yet.
   */
  public void drain(double fps) {
    pace(QueueDrain.HOLD_FPS);
    try {
      QueueDrain.awaitSent(this::delivered, sent::get, fps, REPORT_MS / 1000.0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("partition sweep interrupted");
    }
  }

  /** How long {@link #drain} waits, at the least, for frames sent at {@code fps} that the producer has not reported. */
  public static double caughtUpQuietSeconds(double fps) {
    return QueueDrain.caughtUpQuietNanos(fps, REPORT_MS / 1000.0) / 1e9;
  }

  private long delivered() {
    return reports.delivered();
  }

  /** A window of frames under the current pace, ended by {@code rule}. */
  public Window measure(Rule rule) {
    sleep(rule.settleSeconds());
    Report first = nextReport(null);
    double[] cpuAtFirst = cpuSeconds();
    Report last = first;
    while (true) {
      last = nextReport(last);
      double seconds = (last.atMs() - first.atMs()) / 1000.0;
      long frames = last.delivered() - first.delivered();
      if (seconds >= rule.maxSeconds()) {
        break;
      }
      if (frames >= rule.minFrames() && seconds >= rule.minSeconds() && stable(first, last, rule.stablePct())) {
        break;
      }
    }
    double[] cpuAtLast = cpuSeconds();
    Window w = window(first, last);
    double[] perFrame = new double[2];
    for (int i = 0; i < 2; i++) {
      perFrame[i] = w.frames() > 0 ? (cpuAtLast[i] - cpuAtFirst[i]) * 1000 / w.frames() : Double.NaN;
    }
    return new Window(w.fps(), w.frames(), w.seconds(), w.latencyP50Ms(), w.foreignFrames(), perFrame[0], perFrame[1]);
  }

  /** CPU seconds so far of the edge's and the server's processes (read from /proc: 10 ms ticks). */
  private double[] cpuSeconds() {
    return new double[] {Testbed.cpuSeconds(state, Node.EDGE), Testbed.cpuSeconds(state, Node.SERVER)};
  }

  private boolean stable(Report first, Report last, double pct) {
    long mid = (first.atMs() + last.atMs()) / 2;
    Report m = first;
    for (Report s : reports.between(first.atMs(), mid)) {
      m = s;
    }
    if (m == first || m.atMs() == last.atMs()) {
      return false;
    }
    double r1 = (m.delivered() - first.delivered()) * 1000.0 / (m.atMs() - first.atMs());
    double r2 = (last.delivered() - m.delivered()) * 1000.0 / (last.atMs() - m.atMs());
    return r2 > 0 && Math.abs(r1 - r2) <= pct / 100.0 * r2;
  }

  private Window window(Report first, Report last) {
    List<Long> latencies = new ArrayList<>();
    long foreign = 0;
    java.util.Set<String> current = new java.util.HashSet<>(List.of("producer@" + Node.EDGE.word()));
    loaded.forEach(p -> current.add(p.name() + "@" + p.node().word()));
    for (Report s : reports.between(first.atMs(), last.atMs())) {
      for (long l : s.latencyUs()) {
        latencies.add(l);
      }
      for (int i = 0; i < s.paths().size(); i++) {
        if (!current.containsAll(s.paths().get(i))) {
          foreign += s.pathFrames().get(i);
        }
      }
    }
    latencies.sort(Long::compare);
    double seconds = (last.atMs() - first.atMs()) / 1000.0;
    long frames = last.delivered() - first.delivered();
    double p50 = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2) / 1000.0;
    return new Window(seconds > 0 ? frames / seconds : 0, frames, seconds, p50, foreign, Double.NaN, Double.NaN);
  }

  /** The first report after {@code after} (or the next one to come, with null). */
  private Report nextReport(Report after) {
    long timeout = COMMAND_TIMEOUT.toNanos();
    Report r;
    try {
      r = after == null ? reports.nextAfter(reports.received(), timeout, this::producerFailed)
          : reports.nextAfter(after, timeout, this::producerFailed);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("partition sweep interrupted");
    }
    if (r == null) {
      failIfProducerFailed();
      throw new TestbedException("the producer sent no report for " + COMMAND_TIMEOUT.toSeconds() + " s; see "
          + producer.log());
    }
    return r;
  }

  /** Starts each service of {@code next} on its host, last first; their ports, in chain order. */
  private List<Integer> startServices(List<Partition> next) {
    generation++;
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < next.size(); i++) {
      ports.add(BASE_PORT + 1 + (generation % 40) * 4 + i);
    }
    PipelineSpec any = io.edgepipe.launcher.options.SpecOption.load(next.get(0).specFile());
    List<Partition> started = new ArrayList<>();
    for (int i = next.size() - 1; i >= 0; i--) {
      Partition p = next.get(i);
      String to = i + 1 < next.size() ? addressOf(next.get(i + 1).node(), ports.get(i + 1), p.node())
          : addressOf(Node.EDGE, BASE_PORT, p.node());
      command(p.node(), String.join(" ", PartitionHost.START, p.name(), p.specFile().toAbsolutePath().toString(),
          String.valueOf(any.input().h()), String.valueOf(any.input().w()), any.delivery().label(),
          String.valueOf(any.deadlineMillis()), String.valueOf(ports.get(i)), to),
          PartitionHost.STARTED + " " + p.name());
      started.add(0, p);
      loaded.add(p); // stopped on close even if a later one fails
    }
    loaded.removeAll(started);
    loaded.addAll(started); // chain order
    return ports;
  }

  /** {@code node}'s host:port as seen from {@code from} (loopback inside one node). */
  private String addressOf(Node node, int port, Node from) {
    return (node == from ? "127.0.0.1" : state.address(node)) + ":" + port;
  }

  private void command(Node node, String line, String answer) {
    ChildProtocol.ask(hosts.get(node), line, answer::equals, COMMAND_TIMEOUT);
  }

  /** The producer's lines: reports into {@link #reports}, everything else for {@link #awaitReply}. */
  private void readProducer() {
    try {
      while (true) {
        String m = producer.nextMessage(Duration.ofSeconds(1));
        if (m == null) {
          continue;
        }
        if (m.equals(NodeProcess.EOF)) {
          producerReplies.add(m);
          reports.wake();
          return;
        }
        if (m.startsWith(AdaptiveControl.TIMING + " ")) {
          TimingWindow.Report r = JSON.readValue(m.substring(AdaptiveControl.TIMING.length() + 1),
              TimingWindow.Report.class);
          List<List<String>> paths = new ArrayList<>();
          List<Long> frames = new ArrayList<>();
          for (TimingWindow.PathMeans p : r.paths()) {
            List<String> path = new ArrayList<>();
            for (int i = 0; i < p.stages().size(); i++) {
              path.add(p.stages().get(i) + "@" + p.nodes().get(i));
            }
            paths.add(path);
            frames.add(p.frames());
          }
          reports.add(new Report(r.atMs(), r.delivered(), r.latencyUs(), paths, frames));
        } else if (m.startsWith(ChildProtocol.ERROR)) {
          producerFailure = m;
          producerReplies.add(m);
        } else if (m.startsWith(ChildProtocol.FRAMES + " ")) {
          sent.addAndGet(Long.parseLong(m.substring(ChildProtocol.FRAMES.length() + 1).strip()));
        } else {
          producerReplies.add(m);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      producerFailure = "unreadable report: " + e.getMessage();
    }
  }

  private boolean producerFailed() {
    return producerFailure != null || !producer.isAlive();
  }

  private void failIfProducerFailed() {
    if (producerFailed()) {
      throw new TestbedException("the producer failed: " + (producerFailure != null ? producerFailure : "exited")
          + "; see " + producer.log());
    }
  }

  private String awaitReply(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        String m = producerReplies.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (m == null) {
          continue;
        }
        if (m.startsWith(prefix)) {
          return m;
        }
        if (m.startsWith(ChildProtocol.ERROR) || m.equals(NodeProcess.EOF)) {
          throw new TestbedException("producer: " + (m.equals(NodeProcess.EOF) ? "exited" : m) + " (waiting for "
              + prefix + "); see " + producer.log());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("partition sweep interrupted");
    }
    throw new TestbedException("producer: no " + prefix + " in " + timeout.toSeconds() + " s; see " + producer.log());
  }

  private static void sleep(double seconds) {
    try {
      Thread.sleep(Math.round(seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("partition sweep interrupted");
    }
  }

  /** The link's rate the sweep started with is put back. */
  public TestbedState state() {
    return state;
  }

  /**
   * Ends the stream, drains and stops the services, then the hosts and the producer (by PID,
   * SIGKILL after a grace), and puts the link's rate back to what it was.
   */
  @Override
  public void close() {
    try {
      NodeProcess p = producer;
      if (p != null && p.isAlive()) {
        p.tell(AdaptiveControl.STOP);
        try {
          awaitReply(ChildProtocol.SENT, Duration.ofSeconds(60));
        } catch (TestbedException e) {
          System.err.println("partition sweep: " + e.getMessage());
        }
        for (Partition s : List.copyOf(loaded)) {
          try {
            command(s.node(), PartitionHost.STOP + " " + s.name(), PartitionHost.STOPPED + " " + s.name());
          } catch (TestbedException e) {
            System.err.println("partition sweep: " + e.getMessage());
          }
        }
        loaded.clear();
        p.tell(ChildProtocol.DRAINED);
        try {
          String line = awaitReply(ChildProtocol.RESULT, Duration.ofSeconds(30));
          result = JSON.readValue(line.substring(ChildProtocol.RESULT.length() + 1), io.edgepipe.harness.RunResult.class);
        } catch (TestbedException | IOException e) {
          System.err.println("partition sweep: no result from the producer: " + e.getMessage());
        }
        p.stop(Duration.ofSeconds(10));
      }
      for (NodeProcess h : hosts.values()) {
        h.closeStdin(); // the host stops what still runs and exits
      }
      for (NodeProcess h : hosts.values()) {
        h.stop(Duration.ofSeconds(20));
      }
    } finally {
      killAll();
      if (ctrlC != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(ctrlC);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs now
        }
        ctrlC = null;
      }
      if (state.bandwidthBps() != initial.bandwidthBps()) {
        try {
          state = Testbed.setLinkRate(state, initial.bandwidthBps());
        } catch (RuntimeException e) {
          System.err.println("partition sweep: cannot put the link back: " + e.getMessage());
        }
      }
    }
  }

  /** Every child, SIGKILL (what is still alive). */
  private void killAll() {
    List<NodeProcess> all = new ArrayList<>(hosts.values());
    if (producer != null) {
      all.add(producer);
    }
    for (NodeProcess p : all) {
      if (p.isAlive()) {
        p.kill();
      }
    }
  }

  /**
   * The whole sweep's accounting, once {@link #close} has drained it: every frame the producer
   * sent (flow cam0, across every cut and rate) delivered, dropped or lost; null before or when
   * the producer gave none.
   */
  public io.edgepipe.harness.RunResult result() {
    return result;
  }

  /** One line: the sweep's frames, as {@link #result()} accounts for them. */
  public String accounting() {
    io.edgepipe.harness.RunResult r = result;
    if (r == null) {
      return "no accounting from the producer";
    }
    return String.format(Locale.ROOT, "%d frames sent, %d delivered, %d dropped, %d rejected, %d lost, %d duplicates",
        r.sent(), r.summary().delivered(), r.summary().dropped(), r.summary().rejected(), r.lost(),
        r.summary().duplicates());
  }
}
