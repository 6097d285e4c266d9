package io.edgepipe.harness.testbed;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunResult;
import io.edgepipe.testbed.ChainLayout;
import io.edgepipe.testbed.DelayProxy;
import io.edgepipe.testbed.Node;
import io.edgepipe.testbed.NodeLauncher;
import io.edgepipe.testbed.NodeProcess;
import io.edgepipe.api.Placement;
import io.edgepipe.testbed.Testbed;
import io.edgepipe.testbed.TestbedException;
import io.edgepipe.testbed.TestbedState;
import io.edgepipe.testbed.Units;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs the chain across an up testbed: each compute stage as {@code pipeline stage NAME} on the
 * node of its placement letter (its namespace, and its cpu cgroup), the producer and the sink as
 * one {@link TestbedProducer} process on the first letter's node, and, when the testbed has a
 * delay, one {@link DelayProxy} per node that sends across the link (in that node's namespace
 * but outside its cgroup: the emulated network does not spend the emulated node's CPU). Same-node hops use the
 * namespace's loopback, cross-node hops the veth addresses ({@link ChainLayout}).
 *
 * <p>The producer process checks every stage's health from its own namespace, streams, and says
 * SENT; this runner then stops the stages in chain order (SIGTERM: each drains into the next),
 * tells it DRAINED and reads back the {@link RunResult}. Every child is stopped by its PID at the
 * end, on failure, and on Ctrl-C (a shutdown hook). One run at a time per testbed (a lock file).
 *
 * <pre>{@code
 * try (TestbedRun run = new TestbedRun(Testbed.require("edgepipe"), "EESS", Path.of("results/testbed/logs"))) {
 *   RunResult r = run.run(options, () -> { });
 * }
 * }</pre>
 */
public final class TestbedRun implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);
  private static final Duration STAGE_DRAIN = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final TestbedState state;
  private final String placementText;
  private final Path logDir;
  private final NodeLauncher launcher;
  private final List<NodeProcess> proxies = new CopyOnWriteArrayList<>();
  private final List<NodeProcess> stages = new CopyOnWriteArrayList<>(); // chain order
  private final List<String> proxyStats = new ArrayList<>();
  private final List<RunResult> earlierPhases = new CopyOnWriteArrayList<>();
  private Phases phases = Phases.NONE;
  // CPU seconds of every service's process (and when) as the main phase starts, ends, and the paced one ends
  private final List<Map<String, Double>> cpuMarks = new CopyOnWriteArrayList<>();
  private final List<Long> cpuMarkNanos = new CopyOnWriteArrayList<>();
  private volatile NodeProcess producer;
  // adaptive runs (null listener = a plain run): the stages' nodes and ports as they are now
  private AdaptiveListener adaptive;
  private boolean standby;          // adaptive: every stage also idles on the other node, warm
  private final List<NodeProcess> standbys = new CopyOnWriteArrayList<>(); // per stage, the idle instance
  private final Map<String, String> pointsTo = new java.util.concurrent.ConcurrentHashMap<>(); // "i|node" -> its next
  private final Object moveLock = new Object();
  private boolean closing;          // guarded by moveLock: no move after the stream ended
  private int generation;           // guarded by moveLock: moves so far, for fresh ports
  private Placement placed;         // guarded by moveLock
  private final List<Node> stageNodes = new CopyOnWriteArrayList<>();
  private final List<Integer> stagePorts = new CopyOnWriteArrayList<>();
  private final List<NodeProcess> retired = new CopyOnWriteArrayList<>(); // stopped or stopping after a move
  private final java.util.concurrent.BlockingQueue<String> producerReplies = new java.util.concurrent.LinkedBlockingQueue<>();
  private PipelineSpec runSpec;
  private RunOptions runOptions;
  private int sinkPort;
  private boolean aborted; // guarded by this: Ctrl-C came, start nothing more
  private boolean ran;     // guarded by this
  private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
  private Thread ctrlC;
  private FileChannel lockFile;
  private FileLock lock;

  /**
   * @param placement one letter per microservice, producer first (e.g. {@code EESS})
   * @param logDir    where each process's log goes ({@code <service>.log}, {@code delay-<node>.log})
   */
  public TestbedRun(TestbedState state, String placement, Path logDir) {
    this.state = state;
    this.placementText = placement;
    this.logDir = logDir;
    this.launcher = Testbed.launcher(state);
  }

  /**
   * Starts the placed chain, streams {@code o} through it, stops it, and returns what the sink
   * saw. The spec must come from a file ({@code o.specFile()}): the stage processes read it
   * again. One run per instance.
   *
   * @param progress called once per frame handed to the first stage
   */
  public RunResult run(RunOptions o, Runnable progress) {
    PipelineSpec spec = o.spec();
    if (o.specFile() == null) {
      throw new IllegalArgumentException("a testbed run needs the spec as a file (--spec)");
    }
    List<String> stageNames = spec.layers().stream().map(LayerSpec::name).toList();
    List<String> services = new ArrayList<>(List.of("producer"));
    services.addAll(stageNames);
    Placement placement = Placement.parse(placementText, services);
    ChainLayout layout = ChainLayout.plan(placement, stageNames, state, ChainLayout.DEFAULT_BASE_PORT);
    synchronized (moveLock) {
      runSpec = spec;
      runOptions = o;
      sinkPort = layout.sinkPort();
      placed = placement;
      for (ChainLayout.Service s : layout.stages()) {
        stageNodes.add(s.node());
        stagePorts.add(s.port());
      }
    }
    String mode = "testbed-" + placement + "/" + spec.delivery().label();
    synchronized (this) {
      if (ran) {
        throw new IllegalStateException("a TestbedRun runs once; make a new one");
      }
      ran = true;
    }
    ctrlC = new Thread(this::killAll, "testbed-run-ctrl-c");
    Runtime.getRuntime().addShutdownHook(ctrlC);
    try {
      lock();
      clearLogs(layout);
      startProxies(layout);
      startStages(spec, o, layout);
      startProducer(spec, o, layout, mode);
      return converse(progress);
    } finally {
      close();
      finished.countDown();
    }
  }

  /**
   * How one start of the chain is used. With {@code warmupSeconds > 0} frames first go through for
   * that long and no result counts them (class loading and JIT of fresh JVMs). Then the run's
   * own frames, as many as fit {@code mainSeconds} at the warm-up's rate when that is > 0 (the
   * run's frame count is the least). Then, with {@code pacedSeconds > 0}, about that long of
   * frames at {@code pacedFps} but at most half the rate the main phase measured; {@link #run}
   * returns that paced phase's result and {@link #earlierPhases()} the main one. The warm-up goes on
   * past {@code warmupSeconds} until the rate settles, at most {@code warmupMaxSeconds}.
   */
  public record Phases(double warmupSeconds, double mainSeconds, double pacedSeconds, double pacedFps,
      double warmupMaxSeconds) {
    public static final Phases NONE = new Phases(0, 0, 0, 1);
    /**
     * How much longer than asked a warm-up may go on while its rate has not settled: on a
     * half-core edge the JIT takes tens of seconds.
     */
    public static final double DEFAULT_EXTRA_WARMUP_S = 40;

    /** Phases whose warm-up may go on {@link #DEFAULT_EXTRA_WARMUP_S} past {@code warmupSeconds}. */
    public Phases(double warmupSeconds, double mainSeconds, double pacedSeconds, double pacedFps) {
      this(warmupSeconds, mainSeconds, pacedSeconds, pacedFps, defaultWarmupMax(warmupSeconds));
    }

    /** The longest a warm-up of at least {@code warmupSeconds} goes on when nobody caps it. */
    public static double defaultWarmupMax(double warmupSeconds) {
      return warmupSeconds + DEFAULT_EXTRA_WARMUP_S;
    }

    public Phases {
      if (warmupMaxSeconds < warmupSeconds) {
        throw new IllegalArgumentException("a warm-up of at least " + warmupSeconds + " s cannot end by "
            + warmupMaxSeconds + " s");
      }
    }
  }

  /**
   * What an adaptive run's controller hears: the main phase starting (moves may begin), the
   * frames' timings every report period, and the stream's end (moves must stop; the run waits
   * for {@code onStreamEnd} to return before it drains the stages).
   */
  public interface AdaptiveListener {
    void onMain(TestbedRun run);

    void onTiming(TimingWindow.Report report);

    void onStreamEnd();
  }

  /**
   * Makes the next {@link #run} adaptive: stages run as {@link TestbedStage} (their output can be
   * repointed), the producer reports timings and streams until {@link #stopStream}, and
   * {@link #moveTo} moves stages between the nodes while frames flow. Needs a testbed without
   * delay (the delay forwarders' routes are fixed at start).
   */
  public TestbedRun adaptive(AdaptiveListener listener) {
    return adaptive(listener, false);
  }

  /**
   * As {@link #adaptive(AdaptiveListener)}; with {@code standby}, each stage also runs from the
   * start on the other node, idle and warm (a started JVM, its kernels loaded), so that a move is
   * only a repoint: the upstream turns to the standby at once (the active instance finishes its
   * frames meanwhile), and the drained instance stays as the new standby. A cold start of a stage JVM on a
   * capped edge takes seconds of its quota; this takes none after the start.
   */
  public TestbedRun adaptive(AdaptiveListener listener, boolean withStandby) {
    if (state.delayMicros() > 0) {
      throw new TestbedException("an adaptive run needs a testbed without delay (the delay forwarders route fixed "
          + "ports); bring it up with --delay 0ms");
    }
    this.adaptive = listener;
    this.standby = withStandby;
    return this;
  }

  /** Ends an adaptive run's stream (the producer stops after the frame it is sending). */
  public void stopStream() {
    NodeProcess p = producer;
    if (p != null) {
      p.tell(AdaptiveControl.STOP);
    }
  }

  /** An adaptive run's producer paces its frames at {@code fps} from now on (0 = as fast as the chain goes). */
  public void pace(double fps) {
    NodeProcess p = producer;
    if (p != null) {
      p.tell(AdaptiveControl.PACE + " " + fps);
    }
  }

  /** The placement the chain runs in now (an adaptive run's changes with each move). */
  public Placement placement() {
    synchronized (moveLock) {
      return placed;
    }
  }

  /**
   * What one {@link #moveTo} did, in ms from its start: every new instance listening
   * ({@code startedMs}; 0 with standbys), new frames going to the new placement
   * ({@code switchedMs}: every upstream switched, make-before-break), and the old instances
   * done with the frames they had been sent ({@code drainedMs}; {@code drained} false when the
   * wait timed out).
   */
  public record Move(Placement from, Placement to, List<String> stages, long startedMs, long switchedMs,
      long drainedMs, boolean drained) {}

  /**
   * Moves the stages whose letter differs between the current placement and {@code target},
   * make-before-break. Per run of consecutive moving stages: the new instances are made ready
   * first (with standbys, the idle instance on the target node pointed at the next one of the new
   * chain; without, fresh processes started that way), then the one upstream that does not move
   * (the producer or a stage) is switched to the new chain's first instance: new frames flow on
   * the new placement from then on. The frames already in the old instances finish along the old
   * path meanwhile (over the link as before, not rerouted through it), and the move returns once
   * they are answered; the old instances then become the standbys, or are stopped. The producer
   * does not move. No frame is lost or delivered twice in reliable delivery (each connection
   * keeps custody of its frames; the sink restores the order).
   *
   * @return what moved, or null when nothing had to (same placement, or the stream has ended)
   */
  public Move moveTo(Placement target) {
    synchronized (moveLock) {
      if (closing || placed == null || target.equals(placed)) {
        return null;
      }
      if (target.size() != placed.size() || target.tier(0) != placed.tier(0)) {
        throw new IllegalArgumentException("cannot move to " + target + " from " + placed
            + ": same length, and the producer (the camera) stays where it is");
      }
      long t0 = System.nanoTime();
      Placement from = placed;
      List<List<Integer>> runs = new ArrayList<>(); // consecutive moving stages, chain order
      for (int i = 0; i < stageNodes.size(); i++) {
        if (Node.of(target.tier(i + 1)) != stageNodes.get(i)) {
          if (runs.isEmpty() || runs.get(runs.size() - 1).get(runs.get(runs.size() - 1).size() - 1) != i - 1) {
            runs.add(new ArrayList<>());
          }
          runs.get(runs.size() - 1).add(i);
        }
      }
      Map<Integer, Integer> newPorts = new java.util.HashMap<>();
      Map<Integer, NodeProcess> newInstances = new java.util.HashMap<>();
      if (!standby) {
        generation++;
      }
      for (List<Integer> run : runs) {
        for (int i : run) {
          newPorts.put(i, standby ? stagePorts.get(i)
              : ChainLayout.DEFAULT_BASE_PORT + 1 + i + 10 * (generation % 50 + 1));
        }
      }
      List<String> names = new ArrayList<>();
      for (List<Integer> run : runs) {
        for (int k = run.size() - 1; k >= 0; k--) { // the new chain from its end: each points at its next
          int i = run.get(k);
          Node node = Node.of(target.tier(i + 1));
          String next = newNextOf(i, target, newPorts, node);
          names.add(runSpec.layers().get(i).name());
          if (standby) {
            NodeProcess idle = standbys.get(i);
            if (!next.equals(pointsTo.get(i + "|" + node))) {
              tellRepoint(idle, false, next); // idle: switched and drained at once
              awaitDrained(idle, false, next);
              pointsTo.put(i + "|" + node, next);
            }
            newInstances.put(i, idle);
          } else {
            newInstances.put(i, startFresh(i, node, newPorts.get(i), next));
          }
        }
      }
      for (NodeProcess p : standby ? List.<NodeProcess>of() : newInstances.values()) {
        expect(p, ChildProtocol.READY, READY_TIMEOUT);
      }
      long started = standby ? t0 : System.nanoTime();
      List<String> boundaryAddresses = new ArrayList<>();
      for (List<Integer> run : runs) { // make: the one upstream of each run turns to the new chain
        int a = run.get(0);
        Node upstreamNode = a == 0 ? Node.of(from.tier(0)) : stageNodes.get(a - 1);
        String address = addressOf(Node.of(target.tier(a + 1)), newPorts.get(a), upstreamNode);
        tellRepoint(a == 0 ? producer : stages.get(a - 1), a == 0, address);
        boundaryAddresses.add(address);
      }
      for (int r = 0; r < runs.size(); r++) {
        int a = runs.get(r).get(0);
        awaitSwitched(a == 0 ? producer : stages.get(a - 1), a == 0, boundaryAddresses.get(r));
        if (a > 0) {
          pointsTo.put((a - 1) + "|" + stageNodes.get(a - 1), boundaryAddresses.get(r));
        }
      }
      long switched = System.nanoTime();
      boolean drained = true;
      for (int r = 0; r < runs.size(); r++) { // break: the old instances finish what they were sent
        int a = runs.get(r).get(0);
        drained &= awaitDrained(a == 0 ? producer : stages.get(a - 1), a == 0, boundaryAddresses.get(r));
      }
      long done = System.nanoTime();
      for (List<Integer> run : runs) {
        for (int i : run) {
          NodeProcess old = stages.set(i, newInstances.get(i));
          stageNodes.set(i, Node.of(target.tier(i + 1)));
          stagePorts.set(i, newPorts.get(i));
          if (standby) {
            standbys.set(i, old);
          } else {
            retired.remove(newInstances.get(i));
            retired.add(old);
            Thread stopper = new Thread(() -> old.stop(STAGE_DRAIN), "stop-" + old.name());
            stopper.setDaemon(true);
            stopper.start(); // nothing left in it: its upstream's frames were all answered
          }
        }
      }
      placed = target;
      return new Move(from, target, names, ms(started - t0), ms(switched - t0), ms(done - t0), drained);
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** Where the new instance of moving stage {@code i} on {@code node} sends: the new chain's next, or what stays. */
  private String newNextOf(int i, Placement target, Map<Integer, Integer> newPorts, Node node) {
    if (newPorts.containsKey(i + 1)) {
      return addressOf(Node.of(target.tier(i + 2)), newPorts.get(i + 1), node);
    }
    if (i + 1 < stageNodes.size()) {
      return addressOf(stageNodes.get(i + 1), stagePorts.get(i + 1), node);
    }
    return addressOf(Node.of(target.tier(0)), sinkPort, node);
  }

  /**
   * JVM options of every child: its heap, a frame in transit per hop (the chain spans the testbed's
   * two hosts, {@link io.edgepipe.api.HopBudget#FRAMES_IN_TRANSIT_ACROSS_HOSTS}) and, when the link
   * has a delay, the bytes its round trip keeps in transit, so each hop's window grows by the
   * frames they hold ({@code HopWindow}). Every child gets them: the producer's window bounds the
   * whole chain, whichever hop crosses.
   */
  /** The options of a child of a chain across the testbed's hosts, whatever the link: heap and transit frame. */
  public static final List<String> ACROSS_HOSTS = List.of("-Xmx1g", io.edgepipe.api.HopBudget.transitAcrossHostsOption());

  private List<String> javaOptions() {
    return javaOptions(state.bandwidthBps(), state.delay());
  }

  static List<String> javaOptions(long bandwidthBps, Duration oneWayDelay) {
    if (oneWayDelay.isZero() || oneWayDelay.isNegative()) {
      return ACROSS_HOSTS;
    }
    List<String> options = new java.util.ArrayList<>(ACROSS_HOSTS);
    options.add("-Dedgepipe.window.linkBytes=" + io.edgepipe.api.HopBudget.linkBytes(bandwidthBps, oneWayDelay));
    return options;
  }

  /** A fresh instance of stage {@code i} on {@code node} (a move without standbys). Caller holds moveLock. */
  private NodeProcess startFresh(int i, Node node, int port, String next) {
    String name = runSpec.layers().get(i).name();
    List<String> args = io.edgepipe.launcher.StageArgs.of(runSpec, runOptions.specFile().toAbsolutePath(), name,
        "0.0.0.0", port, next, runOptions.device(), node.word(), null);
    NodeProcess p = launcher.startJava(name + "-" + generation, node, javaOptions(),
        TestbedStage.class.getName(), args, logDir.resolve(name + "-" + generation + ".log"));
    adopt(retired, p); // killed with the rest on Ctrl-C; leaves this list once it serves
    pointsTo.put(i + "|" + node, next);
    return p;
  }

  /** {@code node}'s service on {@code port}, as a process on {@code from} reaches it. */
  private String addressOf(Node node, int port, Node from) {
    return (node == from ? "127.0.0.1" : state.address(node)) + ":" + port;
  }

  /** Tells an upstream to send to {@code address} from now on (answered SWITCHED, then REPOINTED once drained). */
  private void tellRepoint(NodeProcess upstream, boolean isProducer, String address) {
    upstream.tell(RepointCommands.REPOINT + " " + address);
  }

  private void awaitSwitched(NodeProcess upstream, boolean isProducer, String address) {
    awaitReply(upstream, isProducer, RepointCommands.SWITCHED + " " + address);
  }

  /** Waits for the upstream's old next hop to have answered everything; returns whether it did in time. */
  private boolean awaitDrained(NodeProcess upstream, boolean isProducer, String address) {
    return awaitReply(upstream, isProducer, RepointCommands.REPOINTED + " " + address).endsWith("drained");
  }

  /** The upstream's next protocol line starting with {@code prefix}; fails on an error, its exit or a timeout. */
  private String awaitReply(NodeProcess upstream, boolean isProducer, String prefix) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
        TestbedStage.REPOINT_TIMEOUT_MS + 10_000);
    try {
      while (System.nanoTime() < deadline) {
        String m = isProducer ? producerReplies.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)
            : upstream.nextMessage(Duration.ofMillis(200));
        if (m == null) {
          continue;
        }
        if (m.equals(NodeProcess.EOF)) {
          break;
        }
        if (m.startsWith(prefix)) {
          return m;
        }
        if (m.startsWith(ChildProtocol.ERROR)) {
          throw new TestbedException(upstream.name() + ": " + m + "; see " + upstream.log());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throwIfAborted();
    throw new TestbedException(upstream.name() + " did not answer " + prefix + "; see " + upstream.log());
  }

  /** Sets how the next {@link #run} uses its chain (default: one phase, exactly the run's frames). */
  public TestbedRun withPhases(Phases value) {
    this.phases = value;
    return this;
  }

  /**
   * Per service (producer = producer and sink), the CPU its process used in the main and the
   * paced phase of a run {@link #withPhases with both}; empty otherwise.
   */
  public Map<String, ServiceCpu> serviceCpu(RunResult paced) {
    if (cpuMarks.size() < 3 || earlierPhases.isEmpty()) {
      return Map.of();
    }
    double mainSeconds = (cpuMarkNanos.get(1) - cpuMarkNanos.get(0)) / 1e9;
    double pacedSeconds = (cpuMarkNanos.get(2) - cpuMarkNanos.get(1)) / 1e9;
    double mainFps = earlierPhases.get(0).sent() / mainSeconds;
    double pacedFps = paced.sent() / pacedSeconds;
    Map<String, ServiceCpu> out = new java.util.LinkedHashMap<>();
    for (String name : cpuMarks.get(0).keySet()) {
      double c0 = cpuMarks.get(0).get(name);
      double c1 = cpuMarks.get(1).getOrDefault(name, Double.NaN);
      double c2 = cpuMarks.get(2).getOrDefault(name, Double.NaN);
      out.put(name, new ServiceCpu((c1 - c0) / mainSeconds, mainFps, (c2 - c1) / pacedSeconds, pacedFps));
    }
    return out;
  }

  private void markCpu() {
    Map<String, Double> cpu = new java.util.LinkedHashMap<>();
    if (producer != null) {
      cpu.put("producer", io.edgepipe.testbed.ProcessCpu.seconds(producer.pid()));
    }
    for (NodeProcess stage : stages) {
      cpu.put(stage.name(), io.edgepipe.testbed.ProcessCpu.seconds(stage.pid()));
    }
    cpuMarkNanos.add(System.nanoTime());
    cpuMarks.add(cpu);
  }

  /** A stage's instance idling warm on the other node (an adaptive run with standbys): no frame reports its CPU. */
  public record Standby(String stage, Node node, long pid) {}

  /** The idle standbys now, one per stage; empty without standbys. */
  public List<Standby> standbys() {
    List<Standby> out = new ArrayList<>();
    for (int i = 0; standby && i < standbys.size() && i < stageNodes.size(); i++) {
      out.add(new Standby(runSpec.layers().get(i).name(), stageNodes.get(i).other(), standbys.get(i).pid()));
    }
    return out;
  }

  /** Results of the phases before the last one, in order (the main phase when a paced one followed). */
  public List<RunResult> earlierPhases() {
    return List.copyOf(earlierPhases);
  }

  /** The delay forwarders' last words: bytes forwarded and CPU seconds per GB (empty without delay). */
  public List<String> proxyStats() {
    return List.copyOf(proxyStats);
  }

  private void startProxies(ChainLayout layout) {
    int buffer = DelayProxy.bufferFor(state.bandwidthBps(), state.delay());
    for (Map.Entry<Node, List<DelayProxy.Route>> e : layout.proxyRoutes().entrySet()) {
      List<String> args = new ArrayList<>(List.of("--delay", Units.formatDelay(state.delay()),
          "--buffer", String.valueOf(buffer)));
      e.getValue().forEach(r -> args.add(r.toString()));
      String name = "delay-" + e.getKey().word();
      adopt(proxies, launcher.startDelayProxy(name, e.getKey(), args, logDir.resolve(name + ".log")));
    }
    for (NodeProcess p : proxies) {
      expect(p, "READY", Duration.ofSeconds(60));
    }
  }

  /** Waits for a child's protocol line starting with {@code word}; fails with its log on exit or timeout, or with the abort's reason. */
  private void expect(NodeProcess p, String word, Duration timeout) {
    try {
      p.expect(word, timeout);
    } catch (TestbedException e) {
      throwIfAborted();
      throw e;
    }
  }

  private void startStages(PipelineSpec spec, RunOptions o, ChainLayout layout) {
    for (ChainLayout.Service s : layout.stages()) {
      List<String> args = io.edgepipe.launcher.StageArgs.of(spec, o.specFile().toAbsolutePath(), s.name(), "0.0.0.0",
          s.port(), s.next(), o.device(), s.node().word(), null);
      String main = adaptive != null ? TestbedStage.class.getName() : io.edgepipe.launcher.StageArgs.MAIN;
      adopt(stages, launcher.startJava(s.name(), s.node(), javaOptions(), main, args,
          logDir.resolve(s.name() + ".log")));
      pointsTo.put(layout.stages().indexOf(s) + "|" + s.node(), s.next());
    }
    if (standby) {
      List<ChainLayout.Service> active = layout.stages();
      for (int i = 0; i < active.size(); i++) {
        ChainLayout.Service s = active.get(i);
        Node other = s.node() == Node.EDGE ? Node.SERVER : Node.EDGE;
        String next = i + 1 < active.size() ? addressOf(active.get(i + 1).node(), active.get(i + 1).port(), other)
            : addressOf(layout.producer().node(), layout.sinkPort(), other);
        List<String> args = io.edgepipe.launcher.StageArgs.of(spec, o.specFile().toAbsolutePath(), s.name(), "0.0.0.0",
            s.port(), next, o.device(), other.word(), null);
        adopt(standbys, launcher.startJava(s.name() + "-standby", other, javaOptions(),
            TestbedStage.class.getName(), args, logDir.resolve(s.name() + "-" + other.word() + ".log")));
        pointsTo.put(i + "|" + other, next);
      }
      for (NodeProcess p : standbys) {
        expect(p, ChildProtocol.READY, READY_TIMEOUT);
      }
    }
  }

  private void startProducer(PipelineSpec spec, RunOptions o, ChainLayout layout, String mode) {
    ChainLayout.Service p = layout.producer();
    List<String> args = new ArrayList<>(List.of("--spec", o.specFile().toAbsolutePath().toString(),
        "--height", String.valueOf(spec.input().h()), "--width", String.valueOf(spec.input().w()),
        "--delivery", spec.delivery().label(), "--deadline-ms", String.valueOf(spec.deadlineMillis()),
        "--source", o.source(), "--frames", String.valueOf(o.frames()), "--fps", String.valueOf(o.fps()),
        "--flows", String.valueOf(o.flows()), "--seed", String.valueOf(o.seed()), "--device", o.device(),
        "--node", p.node().word(), "--sink-port", String.valueOf(layout.sinkPort()), "--next", p.next(),
        "--mode", mode, "--warmup-seconds", String.valueOf(phases.warmupSeconds()),
        "--warmup-max-seconds", String.valueOf(phases.warmupMaxSeconds()),
        "--main-seconds", String.valueOf(phases.mainSeconds()), "--paced-seconds", String.valueOf(phases.pacedSeconds()),
        "--paced-fps", String.valueOf(phases.pacedFps())));
    if (adaptive != null) {
      args.add("--adaptive");
    }
    for (ChainLayout.Service s : layout.stages()) {
      args.add("--await");
      args.add(s.name() + "=" + s.probe());
    }
    List<NodeProcess> one = new ArrayList<>();
    adopt(one, launcher.startJava("producer", p.node(), javaOptions(), TestbedProducer.class.getName(), args,
        logDir.resolve("producer.log")));
    producer = one.get(0);
  }

  /** Follows the producer's lines until its result; watches the stages while they start. */
  private RunResult converse(Runnable progress) {
    long readyBy = System.nanoTime() + READY_TIMEOUT.toNanos();
    boolean ready = false;
    try {
      while (true) {
        String m = producer.nextMessage(Duration.ofMillis(200));
        if (m == null) {
          if (!ready) {
            checkAlive(readyBy);
          }
          continue;
        }
        if (m.equals(NodeProcess.EOF)) {
          producer.waitFor(Duration.ofSeconds(5));
          throwIfAborted();
          throw new TestbedException("the producer exited" + (producer.isAlive() ? "" : " with code "
              + producer.exitValue()) + " before its result; see " + producer.log());
        }
        String word = m.split(" ", 2)[0];
        String rest = m.length() > word.length() ? m.substring(word.length() + 1) : "";
        switch (word) {
          case ChildProtocol.READY -> ready = true;
          case ChildProtocol.FRAMES -> {
            for (long i = Long.parseLong(rest.strip()); i > 0; i--) {
              progress.run();
            }
          }
          case ChildProtocol.SENT -> {
            if (adaptive != null) {
              routeWhile(adaptive::onStreamEnd); // a move under way still needs the producer's answers
            }
            markCpu();
            stopStages();
            producer.tell(ChildProtocol.DRAINED);
          }
          case ChildProtocol.MAIN -> {
            markCpu();
            if (adaptive != null) {
              adaptive.onMain(this);
            }
          }
          case AdaptiveControl.TIMING -> {
            if (adaptive != null) {
              adaptive.onTiming(JSON.readValue(rest, TimingWindow.Report.class));
            }
          }
          case RepointCommands.SWITCHED, RepointCommands.REPOINTED -> producerReplies.add(m);
          case ChildProtocol.PHASE -> {
            markCpu();
            earlierPhases.add(JSON.readValue(rest, RunResult.class));
          }
          case ChildProtocol.RESULT -> {
            return JSON.readValue(rest, RunResult.class);
          }
          case ChildProtocol.ERROR -> throw new TestbedException("producer: " + rest + "; see " + producer.log());
          default -> { } // unknown words are for the log only
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("testbed run interrupted");
    } catch (IOException e) {
      throw new TestbedException("cannot read the producer's result: " + e.getMessage() + "; see " + producer.log());
    }
  }

  /** Runs {@code task} in another thread while this one keeps routing the producer's REPOINTED answers. */
  private void routeWhile(Runnable task) throws InterruptedException {
    Thread t = new Thread(task, "stream-end");
    t.start();
    while (t.isAlive()) {
      String m = producer.nextMessage(Duration.ofMillis(100));
      if (m != null && (m.startsWith(RepointCommands.SWITCHED) || m.startsWith(RepointCommands.REPOINTED))) {
        producerReplies.add(m);
      }
    }
  }

  private synchronized void throwIfAborted() {
    if (aborted) {
      throw new TestbedException("testbed run interrupted");
    }
  }

  private void checkAlive(long readyBy) {
    throwIfAborted();
    for (NodeProcess p : allChildren()) {
      if (!p.isAlive()) {
        throw new TestbedException(p.name() + " exited with code " + p.exitValue() + " while starting; see " + p.log());
      }
    }
    if (System.nanoTime() > readyBy) {
      throw new TestbedException("the chain did not become ready in " + READY_TIMEOUT.toSeconds() + " s; see "
          + logDir);
    }
  }

  /** SIGTERM in chain order; each stage's shutdown hook drains into the next before it exits. */
  private void stopStages() {
    synchronized (moveLock) {
      closing = true; // a move in progress has finished; no new one starts
    }
    for (NodeProcess s : retired) {
      s.stop(STAGE_DRAIN); // instances moved away from: drained already, or draining now
    }
    for (NodeProcess s : standbys) {
      s.stop(STAGE_DRAIN); // idle: nothing in flight
    }
    for (NodeProcess s : stages) {
      s.stop(STAGE_DRAIN);
    }
  }

  private void stopProxies() {
    for (NodeProcess p : proxies) {
      p.stop(Duration.ofSeconds(10));
      try {
        String m;
        while ((m = p.nextMessage(Duration.ofSeconds(2))) != null && !m.equals(NodeProcess.EOF)) {
          if (m.startsWith("STATS ")) {
            proxyStats.add(p.name() + ": " + m.substring(6));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private List<NodeProcess> allChildren() {
    List<NodeProcess> all = new ArrayList<>(proxies);
    all.addAll(stages);
    all.addAll(retired);
    all.addAll(standbys);
    if (producer != null) {
      all.add(producer);
    }
    return all;
  }

  /** Each run starts its logs afresh. */
  private void clearLogs(ChainLayout layout) {
    List<String> names = new ArrayList<>();
    layout.services().forEach(s -> names.add(s.name()));
    for (Node n : Node.values()) {
      names.add("delay-" + n.word());
    }
    try {
      for (String name : names) {
        java.nio.file.Files.deleteIfExists(logDir.resolve(name + ".log"));
      }
    } catch (IOException e) {
      throw new TestbedException("cannot clear the logs in " + logDir + ": " + e.getMessage());
    }
  }

  /** Keeps a started child, unless Ctrl-C came meanwhile: then it is killed at once. */
  private synchronized void adopt(List<NodeProcess> into, NodeProcess p) {
    if (aborted) {
      p.kill();
      throw new TestbedException("testbed run interrupted");
    }
    into.add(p);
  }

  /** Ctrl-C: SIGKILL every child at once (no time for a drain), and any started later. */
  private void killAll() {
    synchronized (this) {
      aborted = true;
    }
    List<NodeProcess> all = allChildren();
    System.err.println("testbed run: interrupted; killing " + all.size() + " process(es)");
    all.forEach(NodeProcess::kill);
    // The JVM exits when this hook returns: wait until the run's own thread has let go of any
    // process it was starting (adopt kills it) and closed, so nothing outlives us.
    try {
      finished.await(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    allChildren().forEach(NodeProcess::kill);
  }

  private void lock() {
    Path file = state.names().stateDir().resolve("run.lock");
    try {
      lockFile = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = lockFile.tryLock();
    } catch (IOException e) {
      throw new TestbedException("cannot open " + file + ": " + e.getMessage());
    }
    if (lock == null) {
      closeLockFile();
      throw new TestbedException("another `testbed run` is using testbed " + state.prefix() + " (" + file + ")");
    }
  }

  private void closeLockFile() {
    try {
      if (lockFile != null) {
        lockFile.close(); // releases the lock
      }
    } catch (IOException ignored) {
      // nothing to keep
    }
    lockFile = null;
    lock = null;
  }

  /** Stops whatever still runs (stages with a drain, the producer, the proxies) and frees the testbed. */
  @Override
  public void close() {
    stopStages();
    if (producer != null) {
      producer.stop(Duration.ofSeconds(10));
    }
    stopProxies();
    stages.clear();
    retired.clear();
    standbys.clear();
    proxies.clear();
    producer = null;
    if (ctrlC != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(ctrlC);
      } catch (IllegalStateException shuttingDown) {
        // the hook is already killing the children
      }
      ctrlC = null;
    }
    closeLockFile();
  }

}
