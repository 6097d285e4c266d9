package io.edgepipe.runtime;

import io.edgepipe.api.ProcessCpuClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Per-stage counters and phase histograms, exported in the Prometheus text format. Every stage
 * has its own registry so that several stages in one JVM (embedded run) report separately.
 */
public final class StageMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter framesIn;
  private final Counter framesOut;
  private final Counter framesRejected;
  private final Counter framesFailed;
  private final Counter framesDropped;
  private final Counter downstreamRejected;
  private final Timer receive;
  private final Timer process;
  private final Timer send;

  public StageMetrics(String stage) {
    registry.config().commonTags("stage", stage);
    framesIn = Counter.builder("edgepipe.frames.in").description("frames received").register(registry);
    framesOut = Counter.builder("edgepipe.frames.out").description("frames sent downstream or delivered").register(registry);
    framesRejected = Counter.builder("edgepipe.frames.rejected")
        .description("frames refused as malformed (INVALID_ARGUMENT)").register(registry);
    framesFailed = Counter.builder("edgepipe.frames.failed")
        .description("valid frames whose processing or forwarding failed").register(registry);
    framesDropped = Counter.builder("edgepipe.frames.dropped")
        .description("valid frames dropped here in realtime delivery (full queue, past deadline)").register(registry);
    downstreamRejected = Counter.builder("edgepipe.frames.downstream.rejected")
        .description("frames the next hop answered with an error").register(registry);
    // the process's CPU, all threads (what a pod's CPU limit is charged): a controller reading it
    // from two scrapes prices the stage's CPU per frame without counting its waits (shared by the
    // stages of one JVM in an embedded run)
    FunctionCounter.builder("edgepipe.process.cpu", this, m -> ProcessCpuClock.nowMicros() / 1e6)
        .baseUnit("seconds").description("CPU time this stage's process has used, all threads").register(registry);
    receive = phase("receive");
    process = phase("process");
    send = phase("send");
  }

  private Timer phase(String name) {
    return Timer.builder("edgepipe.phase")
        .description("per-frame time of a phase: receive = previous hop's send to received here, "
            + "process = compute, send = until handed to the next hop's transport")
        .tag("phase", name)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  public void frameIn() { framesIn.increment(); }
  public void frameOut() { framesOut.increment(); }
  public void rejected() { framesRejected.increment(); }
  public void failed() { framesFailed.increment(); }
  public void dropped() { framesDropped.increment(); }
  public void downstreamRejected() { downstreamRejected.increment(); }

  public void receiveMicros(long us) { if (us >= 0) receive.record(us, TimeUnit.MICROSECONDS); }
  public void processMicros(long us) { process.record(Math.max(0, us), TimeUnit.MICROSECONDS); }
  public void sendMicros(long us) { send.record(Math.max(0, us), TimeUnit.MICROSECONDS); }

  public long framesIn() { return (long) framesIn.count(); }
  public long framesOut() { return (long) framesOut.count(); }
  public long framesRejected() { return (long) framesRejected.count(); }
  public long framesFailed() { return (long) framesFailed.count(); }
  public long framesDropped() { return (long) framesDropped.count(); }

  /** The Prometheus text exposition of this stage's metrics. */
  public String scrape() {
    return registry.scrape();
  }
}
