package io.edgepipe.harness;

import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.launcher.StageArgs;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.runtime.tls.TlsFiles;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.FirstHop;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.Transport;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One JVM per compute stage (as containers would run them), with the producer and the sink in
 * this JVM. Stage processes are started with `pipeline stage NAME`, their logs go to
 * {@code <logDir>/<stage>.log}, and they are stopped (SIGTERM, which drains) in chain order.
 * Like k3s restarting a pod, a supervisor restarts a stage process that dies (same command, same
 * port), while the chain starts as well as once frames flow; its neighbours are not restarted and
 * reconnect on their own. A stage that exits {@value #MAX_STARTUP_EXITS} times before it ever
 * serves is reported with its log instead (a crash loop: a bad flag or spec).
 */
public final class ProcessRun implements AutoCloseable {
  private static final String LOOPBACK = "127.0.0.1";

  private final PipelineSpec spec;
  /** Where frames reaching the sink are recorded now: a throwaway recorder while warming up. */
  private volatile SinkRecorder sink;
  private final FrameServer sinkServer;
  private final List<Process> processes = new ArrayList<>(); // chain order, guarded by this
  private final List<List<String>> commands = new ArrayList<>();
  private final List<File> logs = new ArrayList<>();
  private final Thread supervisor;
  private volatile boolean stopping;
  private volatile boolean startingUp = true;
  /** A stage that exits this often before it ever serves is broken (bad flag, bad spec), not unlucky. */
  static final int MAX_STARTUP_EXITS = 3;
  private int restarts;
  private final List<Integer> exits = new ArrayList<>(); // per stage: exits seen by the supervisor
  private final List<Integer> lastExitCode = new ArrayList<>();
  private long[] stageCpuAtStop; // guarded by this; per stage, what each had used when stopped
  private long[] stageCpuAtRunStart; // guarded by this; per stage, when the timed run began
  private List<ThreadCpu> threadsAtRunStart; // guarded by this; this JVM, then each stage, when the timed run began
  private List<ThreadCpu> threadsAtStop; // guarded by this; the same when the stages were stopped
  private final List<Integer> ports = new ArrayList<>();
  private final EphemeralTls tls;
  private final Map<String, String> environment; // set for every stage process, restarts included
  /**
   * How long a stage process may take to serve: a JVM starts in seconds, but on a 2-core machine
   * at load 30 its class loading alone took over a minute (60 s failed benchmarks there).
   */
  private static final int START_SECONDS = 180;
  /**
   * Stage processes compile their hot methods sooner, with the testbed nodes' flags
   * ({@link io.edgepipe.testbed.NodeLauncher#WARM_JIT_FLAGS}). A stage's transport methods run a few
   * times per frame, so with the default thresholds C2 was still compiling them 7,500 frames in (a
   * third of a stage's CPU 3,000 frames in), and a run of a few thousand frames, timed or not, spent
   * much of its CPU on the JIT. With a fifth of the thresholds the compilers were done after
   * 3,500-4,000 frames and the stages used 15% less CPU per frame in the timed run that followed
   * (session 11, loaded A/B; the kernels' loops compile early either way); the nodes' tenth is
   * sooner still.
   */
  static final List<String> JIT_SOONER = io.edgepipe.testbed.NodeLauncher.WARM_JIT_FLAGS;

  public ProcessRun(PipelineSpec spec, Path specFile, String device, Consumer<Frame> outputs, Path logDir,
      Delivery delivery) {
    this(spec, specFile, device, outputs, logDir, delivery, null);
  }

  /** @param tls mutual TLS on every hop (services "sink", each layer, "producer"); null = plaintext */
  public ProcessRun(PipelineSpec spec, Path specFile, String device, Consumer<Frame> outputs, Path logDir,
      Delivery delivery, EphemeralTls tls) {
    this(spec, specFile, device, outputs, logDir, delivery, tls, Map.of());
  }

  /**
   * @param environment variables set for the stage processes on top of this JVM's environment
   *                    (a benchmark compares settings such as EDGEPIPE_KERNEL_THREADS, or -D switches
   *                    through JAVA_TOOL_OPTIONS, side by side in one run)
   */
  public ProcessRun(PipelineSpec spec, Path specFile, String device, Consumer<Frame> outputs, Path logDir,
      Delivery delivery, EphemeralTls tls, Map<String, String> environment) {
    this.tls = tls;
    this.environment = stageEnvironment(spec.layers().size(), System.getenv(), environment);
    if (specFile == null) {
      throw new IllegalArgumentException("--processes needs the spec as a file (--spec)");
    }
    this.spec = spec;
    this.sink = new SinkRecorder(outputs, spec.delivery());
    try {
      sinkServer = SinkServer.create(new CurrentSink(), LOOPBACK, 0, -1, spec.maxFrameBytes(), "local", tlsOf("sink")).start();
      List<LayerSpec> layers = spec.layers();
      for (int i = 0; i < layers.size(); i++) {
        ports.add(freePort());
      }
      logDir.toFile().mkdirs();
      for (int i = 0; i < layers.size(); i++) {
        String next = LOOPBACK + ":" + (i + 1 < layers.size() ? ports.get(i + 1) : sinkServer.port());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g"));
        cmd.addAll(JIT_SOONER);
        cmd.addAll(io.edgepipe.api.VectorApi.childJvmFlags()); // the CPU twins' fast path
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StageArgs.MAIN));
        cmd.addAll(StageArgs.of(spec.withDelivery(delivery), specFile, layers.get(i).name(), LOOPBACK, ports.get(i),
            next, device, "local", tls == null ? null : tls.forService(layers.get(i).name())));
        commands.add(cmd);
        logs.add(logDir.resolve(layers.get(i).name() + ".log").toFile());
        processes.add(launch(i));
        exits.add(0);
        lastExitCode.add(0);
      }
      // supervised from the first moment: a stage that dies while the chain starts (before it
      // ever served) is restarted like one that dies later, not taken for a failed run
      supervisor = new Thread(this::supervise, "stage-supervisor");
      supervisor.setDaemon(true);
      supervisor.start();
      for (int i = 0; i < layers.size(); i++) {
        awaitServing(i, logDir, tlsOf("producer"));
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start stage processes", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The environment variable a stage reads its kernel threads from (its --kernel-threads default). */
  static final String KERNEL_THREADS_ENV = "EDGEPIPE_KERNEL_THREADS";

  /**
   * What the stage processes get on top of this JVM's environment: {@code extra}, and unless this
   * JVM's environment or {@code extra} names them, kernel threads for each of {@code stages}
   * processes side by side: this host's cores shared out, at least one each. With as many busy
   * stages as cores a kernel's helper thread finds no idle core: waking it and waiting for its
   * bands costs CPU and, with the other stages' threads on the cores, time. On the 2-core machine
   * one thread each gave the thesis chain 1.24x and 1.27x the frames per second and 0.90x and
   * 0.94x (0.75-1.12) the CPU per frame of the default (every core) in two loaded A/Bs (session 11).
   */
  static Map<String, String> stageEnvironment(int stages, Map<String, String> inherited, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>();
    if (!inherited.containsKey(KERNEL_THREADS_ENV)) {
      int cores = Runtime.getRuntime().availableProcessors();
      env.put(KERNEL_THREADS_ENV, String.valueOf(Math.max(1, cores / Math.max(1, stages))));
    }
    env.putAll(extra);
    return Map.copyOf(env);
  }

  private Process launch(int i) throws IOException {
    ProcessBuilder b = new ProcessBuilder(commands.get(i)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.get(i)));
    b.environment().putAll(environment);
    return b.start();
  }

  /** Restarts any stage process that exits while the run is not stopping. */
  private void supervise() {
    while (!stopping) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        for (int i = 0; i < processes.size() && !stopping; i++) {
          Process p = processes.get(i);
          if (!p.isAlive()) {
            if (startingUp && exits.get(i) >= MAX_STARTUP_EXITS) {
              continue; // already given up on: awaitServing reports it
            }
            exits.set(i, exits.get(i) + 1);
            lastExitCode.set(i, p.exitValue());
            boolean crashLoop = startingUp && exits.get(i) >= MAX_STARTUP_EXITS;
            System.err.printf("supervisor: stage %s (pid %d) exited with %d%s; %s%n", spec.layers().get(i).name(),
                p.pid(), p.exitValue(), startingUp ? " while starting" : "", crashLoop ? "giving up" : "restarting it");
            if (crashLoop) {
              continue; // awaitServing reports it, with the log
            }
            try {
              processes.set(i, launch(i));
              restarts++;
            } catch (IOException e) {
              System.err.println("supervisor: cannot restart " + spec.layers().get(i).name() + ": " + e.getMessage());
            }
          }
        }
      }
    }
  }

  /** PIDs of the stage processes in chain order (fault tests kill them). */
  public synchronized List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  public synchronized int restarts() {
    return restarts;
  }

  /**
   * CPU time the stage processes used during {@link #run} (all of them, for benchmarks): what
   * they had used when stopped, less what they had used when the run began (start-up and any
   * {@link #warmUp}).
   */
  public synchronized long stageCpuNanos() {
    return java.util.Arrays.stream(stageCpuNanosByStage()).sum();
  }

  /** As {@link #stageCpuNanos}, per stage process in chain order. */
  public synchronized long[] stageCpuNanosByStage() {
    long[] used = new long[spec.layers().size()];
    for (int i = 0; i < used.length; i++) {
      used[i] = at(stageCpuAtStop, i) - at(stageCpuAtRunStart, i);
    }
    return used;
  }

  /**
   * Per process of the timed {@link #run} (this JVM, which runs the producer and the sink, then each
   * stage in chain order), what each group of its threads used ({@link ThreadCpu}); empty before the
   * run has ended or where /proc cannot say.
   */
  public synchronized List<Map<String, ThreadCpu.Usage>> threadUsage() {
    List<Map<String, ThreadCpu.Usage>> usage = new ArrayList<>();
    if (threadsAtRunStart == null || threadsAtStop == null) {
      return usage;
    }
    for (int i = 0; i < Math.min(threadsAtRunStart.size(), threadsAtStop.size()); i++) {
      usage.add(threadsAtStop.get(i).since(threadsAtRunStart.get(i)));
    }
    return usage;
  }

  /** This JVM's threads, then each live stage process's, in chain order. */
  private synchronized List<ThreadCpu> threadSnapshots() {
    List<ThreadCpu> snapshots = new ArrayList<>();
    snapshots.add(ThreadCpu.of(ProcessHandle.current().pid()));
    for (Process p : processes) {
      snapshots.add(ThreadCpu.of(p.pid()));
    }
    return snapshots;
  }

  /**
   * Streams {@code o}'s frames through the chain and forgets them, leaving the stages running:
   * their JIT compilers have then done most of their work, so a following {@link #run} measures
   * the warm chain, as a benchmark measures its in-process modes after a warm-up.
   *
   * <p>The warm-up's producer waits for the chain in either delivery mode. A realtime producer
   * drops whatever its stream cannot take at once, and a new stream is not ready until its
   * connection is up: an unpaced realtime warm-up was over, every frame dropped at the source,
   * before the first stage had seen one, and the timed run met cold stages whose first frames
   * (class loading, their own next-hop connections) take seconds on a loaded machine.
   */
  public void warmUp(RunOptions o, Runnable progress) {
    SinkRecorder measured = sink;
    sink = new SinkRecorder(null, spec.delivery());
    try {
      drive(o, progress, Delivery.RELIABLE);
    } finally {
      sink = measured; // every warm-up frame was answered, so none reaches this one
    }
  }

  /**
   * A warm-up batch whose JIT compilers used at most this share of the CPU of every process of the
   * chain (the stages, and this JVM's producer and sink): settled. {@code bench vgpu
   * --until-jit-quiet} warms its sides to the same share.
   */
  public static final double SETTLED_JIT_SHARE = 0.05;

  /**
   * One warm-up batch: the stage processes' CPU milliseconds per frame, and the share of the
   * chain's CPU (the stage processes and this JVM) that went to the JIT compilers.
   */
  public record WarmUpBatch(double stageCpuMsPerFrame, double jitShare) {}

  /**
   * {@link #warmUp} in batches of {@code batch}'s frames until the JIT compilers have finished
   * with the hot paths (they used at most {@value #SETTLED_JIT_SHARE} of the chain's CPU in the
   * last batch) or after {@code maxBatches}. A fresh stage JVM compiles its kernels within a few
   * hundred frames, but the transport's methods run a few times per frame and reach C2 only after
   * thousands: on the 2-core machine C2 still took 0.6 to 1.0 ms per frame in each stage process
   * (a fifth to a third of its CPU) in a timed run after 2,000 warm-up frames (session 11). The
   * stage CPU per frame alone is no sign of that: it stayed within 10% from one batch to the next
   * while C2 was busy, and rose again later. A benchmark that times them against an in-process
   * mode whose JVM has run thousands of frames measures their JIT, not their data plane.
   * Where /proc cannot tell the compilers apart, the share reads 0 and one batch is run.
   *
   * @return each batch, in order
   */
  public List<WarmUpBatch> warmUpUntilSettled(RunOptions batch, int maxBatches, Runnable progress) {
    List<WarmUpBatch> batches = new ArrayList<>();
    for (int b = 0; b < maxBatches; b++) {
      long before = java.util.Arrays.stream(liveStageCpuNanos()).sum();
      List<ThreadCpu> threadsBefore = threadSnapshots();
      warmUp(batch, progress);
      long used = java.util.Arrays.stream(liveStageCpuNanos()).sum() - before;
      double share = ThreadCpu.compilerShare(threadsBefore, threadSnapshots());
      batches.add(new WarmUpBatch(used / 1e6 / Math.max(1, batch.frames() * batch.flows()), share));
      if (share <= SETTLED_JIT_SHARE) {
        break;
      }
    }
    return batches;
  }

  /** Streams {@code o}'s frames through the chain, then stops the stages (each drains first). */
  public RunResult run(RunOptions o, Runnable progress) {
    synchronized (this) {
      stageCpuAtRunStart = liveStageCpuNanos();
      threadsAtRunStart = threadSnapshots();
    }
    Producer producer;
    try {
      producer = drive(o, progress, spec.delivery());
    } finally {
      stopAll();
    }
    return RunResult.of("processes/" + spec.delivery().label(), sink.summary(), producer.sentPerFlow());
  }

  /**
   * Returns once every frame sent has been answered (the producer's client waits for that).
   *
   * @param producerDelivery how the producer sends: the run's mode, or reliable to wait for the chain
   */
  private Producer drive(RunOptions o, Runnable progress, Delivery producerDelivery) {
    DownstreamClient toFirst = FirstHop.open(spec.withDelivery(producerDelivery),
        Transport.channel(LOOPBACK + ":" + ports.get(0), spec.maxFrameBytes(), tlsOf("producer")), sink);
    Producer producer = new Producer(spec, toFirst, "local");
    try {
      FlowDriver.drive(o, producer, progress);
    } finally {
      toFirst.close();
    }
    return producer;
  }

  private static long at(long[] a, int i) {
    return a == null || i >= a.length ? 0 : a[i];
  }

  /** CPU time each stage process has used so far (0 for one that has exited). */
  private synchronized long[] liveStageCpuNanos() {
    long[] used = new long[processes.size()];
    for (int i = 0; i < used.length; i++) {
      used[i] = processes.get(i).info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }
    return used;
  }

  /** The sink server's processor: whichever recorder is current. */
  private final class CurrentSink implements io.edgepipe.runtime.FrameProcessor {
    @Override
    public Frame.Builder process(Frame in) {
      return sink.process(in);
    }

    @Override
    public void onTombstone(Frame tombstone) {
      sink.onTombstone(tombstone);
    }
  }

  /** SIGTERM each stage in chain order and wait: its shutdown hook drains into the next one. */
  private synchronized void stopAll() {
    stopping = true;
    if (!processes.isEmpty()) {
      // read before the stages drain and exit (an exited process's CPU time can no longer be read)
      stageCpuAtStop = liveStageCpuNanos();
      threadsAtStop = threadSnapshots();
    }
    for (Process p : processes) {
      p.destroy();
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  private TlsFiles tlsOf(String service) {
    return tls == null ? null : tls.forService(service);
  }

  /**
   * Waits until stage {@code index} answers its health check, whichever process of it is current:
   * the supervisor may have replaced one that died while starting.
   */
  private void awaitServing(int index, Path logDir, TlsFiles tls) {
    String stage = spec.layers().get(index).name();
    ManagedChannel channel = Transport.channel(LOOPBACK + ":" + ports.get(index), 1 << 20, tls);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
      while (System.nanoTime() < deadline) {
        synchronized (this) {
          if (exits.get(index) >= MAX_STARTUP_EXITS) {
            throw new IllegalStateException("stage " + stage + " exited " + exits.get(index) + " times while starting"
                + " (last exit code " + lastExitCode.get(index) + "); see " + logDir.resolve(stage + ".log"));
          }
        }
        try {
          HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
            if (index == spec.layers().size() - 1) {
              startingUp = false;
            }
            return;
          }
        } catch (RuntimeException notYet) {
          // not listening yet, or restarting
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("stage " + stage + " did not become healthy in " + START_SECONDS + " s; see "
          + logDir.resolve(stage + ".log"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      channel.shutdownNow();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    stopAll();
    if (sinkServer != null) {
      try {
        sinkServer.stop(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
