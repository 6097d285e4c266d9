package io.edgepipe.harness.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgepipe.api.Delivery;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.harness.RunResult;
import io.edgepipe.harness.adaptive.SwitchableDownstream;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The producer side of a testbed run, as a child process in the producer's namespace: starts
 * the sink, waits until every stage answers its health check from here, streams the frames,
 * and, once {@link TestbedRun} has drained the stages, writes the {@link RunResult} as JSON
 * on stdout (see {@link ChildProtocol}). Optionally the same chain serves up to three phases:
 * warm-up frames no result counts, the main phase (a PHASE result) and a paced phase (the
 * RESULT), so that one start of the JVMs yields both a throughput and a latency figure.
 */
@Command(name = "testbed-producer")
public final class TestbedProducer implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HEALTH_TIMEOUT_S = 180;
  private static final int WARMUP_BATCH = 5;
  private static final double WARMUP_WINDOW_S = 4;
  private static final double SETTLED_PCT = 5;
  private static final int MIN_WARMUP_FRAMES = 20;
  private static final long MAX_MAIN_FRAMES = 3000;
  private static final java.time.Duration PHASE_TIMEOUT = java.time.Duration.ofSeconds(120);

  @Option(names = "--spec", required = true) Path specFile;
  @Option(names = "--height", required = true) int height;
  @Option(names = "--width", required = true) int width;
  @Option(names = "--delivery", required = true) String delivery;
  @Option(names = "--deadline-ms", required = true) long deadlineMs;
  @Option(names = "--source", required = true) String source;
  @Option(names = "--frames", required = true) long frames;
  @Option(names = "--fps", required = true) double fps;
  @Option(names = "--flows", required = true) int flows;
  @Option(names = "--seed", required = true) long seed;
  @Option(names = "--device", required = true) String device;
  @Option(names = "--node", required = true) String node;
  @Option(names = "--sink-port", required = true) int sinkPort;
  @Option(names = "--next", required = true) String next;
  @Option(names = "--mode", required = true) String mode;
  @Option(names = "--warmup-seconds", description = "Seconds of frames streamed first and left out of every result")
  double warmupSeconds;
  @Option(names = "--warmup-max-seconds",
      description = "The warm-up goes on past --warmup-seconds until the rate settles, at most this long in all "
          + "(default: --warmup-seconds + " + TestbedRun.Phases.DEFAULT_EXTRA_WARMUP_S + ")")
  Double warmupMaxSeconds;
  @Option(names = "--main-seconds", description = "Size the main phase to about this long at the warm-up's rate "
      + "(--frames is then the least; 0 = exactly --frames)")
  double mainSeconds;
  @Option(names = "--paced-seconds", description = "After the main phase, a paced phase of about this long (0 = none)")
  double pacedSeconds;
  @Option(names = "--paced-fps", description = "Rate of the paced phase, at most half the main phase's measured rate")
  double pacedFps = 1;
  @Option(names = "--adaptive", description = "An adaptive run: report the frames' timings every "
      + AdaptiveControl.TimingReporter.PERIOD_MS + " ms (TIMING lines), take REPOINT and STOP on stdin, loop the source until STOP")
  boolean adaptive;
  @Option(names = "--report-ms", description = "With --adaptive: ms between TIMING lines (a sweep's windows end on one)")
  long reportMs = AdaptiveControl.TimingReporter.PERIOD_MS;
  @Option(names = "--await", description = "NAME=HOST:PORT of a stage to health-check first") Map<String, String> awaits
      = new LinkedHashMap<>();

  public static void main(String[] args) {
    ChildProtocol.runChild(new TestbedProducer(), args);
  }

  @Override
  public Integer call() throws Exception {
    PipelineSpec spec = io.edgepipe.launcher.options.SpecOption.load(specFile).withInput(height, width)
        .withDelivery(Delivery.parse(delivery)).withDeadline(deadlineMs);
    TimingWindow window = new TimingWindow();
    PhasedSink phases = adaptive
        ? new PhasedSink(spec.delivery(), f -> window.add(f, io.edgepipe.api.EpochClock.nowMicros()))
        : new PhasedSink(spec.delivery());
    FrameServer sink = SinkServer.create(phases, "0.0.0.0", sinkPort, -1, spec.maxFrameBytes(), node).start();
    for (Map.Entry<String, String> stage : awaits.entrySet()) {
      awaitServing(stage.getKey(), stage.getValue());
    }
    ChildProtocol.say(ChildProtocol.READY);
    DownstreamClient firstClient = FirstHop.open(spec, Transport.channel(next, spec.maxFrameBytes()), phases);
    // an adaptive run repoints the first hop when the first stage moves
    SwitchableDownstream toFirst = new SwitchableDownstream(firstClient);
    AdaptiveControl control = adaptive ? AdaptiveControl.start(spec, toFirst, phases, window, reportMs) : null;
    Producer producer = new Producer(spec, toFirst, node);
    RunOptions o = new RunOptions(spec, specFile, source, frames, fps, flows, device, seed, null, "npy");
    FrameCounter counter = new FrameCounter();
    try {
      if (warmupSeconds > 0) {
        double rate = warmUp(spec, producer, phases, counter);
        if (mainSeconds > 0) {
          long sized = Math.max(frames, Math.min(MAX_MAIN_FRAMES, Math.round(rate * mainSeconds)));
          o = new RunOptions(spec, specFile, source, sized, fps, flows, device, seed, null, "npy");
        }
      }
      ChildProtocol.say(ChildProtocol.MAIN);
      if (pacedSeconds > 0) {
        // the main phase as fast as it goes, then frames paced so that none waits for another
        RunResult main = phase(o, producer, phases, counter);
        ChildProtocol.say(ChildProtocol.PHASE + " " + JSON.writeValueAsString(main));
        double pace = Math.max(0.5, Math.min(pacedFps, main.summary().fps() / 2));
        long paced = Math.max(10, Math.round(pace * pacedSeconds));
        o = new RunOptions(spec, specFile, source, paced, pace, flows, device, seed, null, "npy");
      }
      if (control != null) {
        control.streamUntilStopped(o, producer, counter::frame);
      } else {
        FlowDriver.drive(o, producer, counter::frame);
      }
    } finally {
      toFirst.close();
    }
    counter.flush();
    ChildProtocol.say(ChildProtocol.SENT);
    if (control != null) {
      control.awaitDrained();
    } else {
      awaitDrained();
    }
    sink.stop(10, TimeUnit.SECONDS);
    RunResult result = RunResult.of(mode, phases.current().summary(), sentBy(producer, o));
    ChildProtocol.say(ChildProtocol.RESULT + " " + JSON.writeValueAsString(result));
    return 0;
  }

  /**
   * Frames through the fresh JVMs (class loading, JIT) that no result counts: short streams on
   * flows warmup-0, warmup-1, ... for at least {@link #warmupSeconds}, then on in windows of
   * {@value #WARMUP_WINDOW_S} s until the rate has {@link #settled} (the JIT is done; on a
   * half-core edge that takes tens of seconds), or {@link #warmupMaxSeconds} have passed.
   *
   * @return frames per second of the last window
   */
  private double warmUp(PipelineSpec spec, Producer producer, PhasedSink phases, FrameCounter counter)
      throws InterruptedException {
    Map<String, Long> sent = new LinkedHashMap<>();
    long start = System.nanoTime();
    List<Double> rates = new ArrayList<>();
    double most = warmupMaxSeconds != null ? warmupMaxSeconds : TestbedRun.Phases.defaultWarmupMax(warmupSeconds);
    // looped: a video shorter than the warm-up would otherwise end it with empty flows, without end
    try (var src = io.edgepipe.producer.source.FrameSources.open(source, spec.input().h(), spec.input().w(),
        spec.input().c(), seed + 1000, true)) {
      int k = 0;
      long total = 0;
      while (true) {
        long windowStart = System.nanoTime();
        long inWindow = 0;
        double window = total == 0 ? warmupSeconds : WARMUP_WINDOW_S;
        while (inWindow < WARMUP_BATCH || System.nanoTime() - windowStart < window * 1e9) {
          String flow = "warmup-" + k++;
          long n = producer.stream(flow, src, 0, WARMUP_BATCH, counter::frame);
          sent.put(flow, n);
          inWindow += n;
        }
        total += inWindow;
        rates.add(inWindow / ((System.nanoTime() - windowStart) / 1e9));
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (total >= MIN_WARMUP_FRAMES && (settled(rates) || elapsed > most)) {
          break;
        }
      }
    }
    if (!phases.awaitAccounted(sent, PHASE_TIMEOUT)) {
      throw new IllegalStateException("warm-up frames not all accounted for in " + PHASE_TIMEOUT.toSeconds() + " s");
    }
    phases.next();
    System.err.printf(java.util.Locale.ROOT, "warm-up: %.1f s, window rates %s fps%n",
        (System.nanoTime() - start) / 1e9, rates.stream().map(r -> String.format(java.util.Locale.ROOT, "%.1f", r)).toList());
    return rates.get(rates.size() - 1);
  }

  /**
   * The rate has settled when the last window is within {@value #SETTLED_PCT}% of the one two
   * windows before it: a JIT still compiling on a capped node raises the rate slowly, a little each
   * window, so neighbouring windows alone would agree too early.
   */
  static boolean settled(List<Double> rates) {
    int n = rates.size();
    if (n < 3) {
      return false;
    }
    double last = rates.get(n - 1);
    return Math.abs(last - rates.get(n - 3)) <= SETTLED_PCT / 100.0 * last;
  }

  /** Streams one phase and waits until the sink has every frame of it; its result. */
  private RunResult phase(RunOptions o, Producer producer, PhasedSink phases, FrameCounter counter)
      throws InterruptedException {
    FlowDriver.drive(o, producer, counter::frame);
    Map<String, Long> sent = sentBy(producer, o);
    if (!phases.awaitAccounted(sent, PHASE_TIMEOUT)) {
      throw new IllegalStateException("frames of the phase not all accounted for in " + PHASE_TIMEOUT.toSeconds() + " s");
    }
    return RunResult.of(mode, phases.next().summary(), sent);
  }

  /** What the producer sent on the flows of {@code o} (cam0, cam1, ...), not the warm-up's. */
  private static Map<String, Long> sentBy(Producer producer, RunOptions o) {
    Map<String, Long> sent = new LinkedHashMap<>();
    for (int i = 0; i < o.flows(); i++) {
      sent.put("cam" + i, producer.sentPerFlow().getOrDefault("cam" + i, 0L));
    }
    return sent;
  }

  /** Reports progress as {@code FRAMES n} at most every 100 ms, so the log stays short. */
  private static final class FrameCounter {
    private long unreported;
    private long lastReport = System.nanoTime();

    synchronized void frame() {
      unreported++;
      if (System.nanoTime() - lastReport > 100_000_000L) {
        flush();
      }
    }

    synchronized void flush() {
      if (unreported > 0) {
        ChildProtocol.say(ChildProtocol.FRAMES + " " + unreported);
        unreported = 0;
      }
      lastReport = System.nanoTime();
    }
  }

  /** Blocks until the parent says the stages are drained (or closes our stdin). */
  private static void awaitDrained() throws java.io.IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.strip().equals(ChildProtocol.DRAINED)) {
        return;
      }
    }
  }

  private static void awaitServing(String stage, String address) throws InterruptedException {
    ManagedChannel channel = Transport.channel(address, 1 << 20);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEALTH_TIMEOUT_S);
      while (System.nanoTime() < deadline) {
        try {
          HealthCheckResponse r = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
            return;
          }
        } catch (RuntimeException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("stage " + stage + " at " + address + " did not become healthy in "
          + HEALTH_TIMEOUT_S + " s");
    } finally {
      channel.shutdownNow();
    }
  }
}
