package io.edgepipe.harness;

import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;

import io.edgepipe.runtime.tls.TlsFiles;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.producer.FirstHop;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.ComputeStage;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.LayerGroup;
import io.edgepipe.runtime.StageOptions;
import io.edgepipe.runtime.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Every service of the chain in this JVM, talking real gRPC over loopback: the sink, each
 * compute service, and the producer. Started last-to-first so each hop's target is listening;
 * stopped first-to-last so each stage drains into a next hop that is still up.
 *
 * <p>Each compute service runs a group of consecutive layers ({@link LayerGroup}): one layer
 * each is the ordinary pipeline; {@link #fused} groups them, {@code [[conv, relu], [maxpool]]}
 * running a {@code conv+relu} service and a {@code maxpool} service (a 3-stage pipeline, producer
 * included, as the thesis counts) with the same runtime wiring ({@link ComputeStage}).
 */
public final class EmbeddedRun implements AutoCloseable {
  private static final String LOOPBACK = "127.0.0.1";

  private final PipelineSpec spec;
  private final SinkRecorder sink;
  private final FrameServer sinkServer;
  private final List<FrameServer> stages = new ArrayList<>(); // chain order
  private final List<StageOptions> options = new ArrayList<>();
  private final EphemeralTls tls;
  private final String mode;

  /** Starts the sink and the stages; frames can be sent to {@link #firstStagePort()}. */
  public EmbeddedRun(PipelineSpec spec, String device, Consumer<Frame> outputs) {
    this(spec, device, outputs, null);
  }

  /** @param tls mutual TLS on every hop with these certificates (services "sink", each layer, "producer"); null = plaintext */
  public EmbeddedRun(PipelineSpec spec, String device, Consumer<Frame> outputs, EphemeralTls tls) {
    this(spec, LayerGroup.oneEach(spec), device, outputs, tls, "embedded");
  }

  /**
   * The pipeline with consecutive layers fused into one service per group.
   *
   * @param groups  the spec's layers by name, in chain order, each inner list one service
   * @param outputs called with every delivered frame (may be null)
   */
  public static EmbeddedRun fused(PipelineSpec spec, List<List<String>> groups, String device,
      Consumer<Frame> outputs) {
    LayerGroup.checkPartition(spec, groups);
    return new EmbeddedRun(spec, groups, device, outputs, null, "fused");
  }

  private EmbeddedRun(PipelineSpec spec, List<List<String>> groups, String device, Consumer<Frame> outputs,
      EphemeralTls tls, String mode) {
    this.spec = spec;
    this.tls = tls;
    this.mode = mode;
    this.sink = new SinkRecorder(outputs, spec.delivery());
    try {
      sinkServer = SinkServer.create(sink, LOOPBACK, 0, -1, spec.maxFrameBytes(), "local", tlsOf("sink")).start();
      String next = LOOPBACK + ":" + sinkServer.port();
      for (int i = groups.size() - 1; i >= 0; i--) {
        String name = LayerGroup.name(groups.get(i));
        StageOptions o = new StageOptions(spec, name, LOOPBACK, 0, -1, next, device, "local", tlsOf(name));
        FrameServer started = ComputeStage.create(o).start();
        stages.add(0, started); // so that close() stops it if a later one fails
        options.add(0, o);
        next = LOOPBACK + ":" + started.port();
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start the " + mode + " pipeline", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private TlsFiles tlsOf(String service) {
    return tls == null ? null : tls.forService(service);
  }

  public int firstStagePort() {
    return stages.get(0).port();
  }

  public int sinkPort() {
    return sinkServer.port();
  }

  public SinkRecorder sink() {
    return sink;
  }

  public List<FrameServer> stages() {
    return stages;
  }

  /**
   * Kills stage {@code index} as a crash would (frames inside it are lost, nothing drains),
   * waits {@code downMillis}, and starts a fresh one on the same port. The neighbours are not
   * restarted: they reconnect on their own.
   */
  public synchronized void crashAndRestart(int index, long downMillis) {
    FrameServer old = stages.get(index);
    int port = old.port();
    old.kill();
    try {
      Thread.sleep(downMillis);
      StageOptions o = options.get(index);
      StageOptions samePort = new StageOptions(o.spec(), o.stage(), o.host(), port, o.metricsPort(), o.next(),
          o.device(), o.node(), o.tls());
      stages.set(index, ComputeStage.create(samePort).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart stage " + index, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Streams the run's flows through the chain, drains it and reports. */
  public RunResult run(RunOptions o, Runnable progress) {
    DownstreamClient toFirst = FirstHop.open(spec,
        Transport.channel(LOOPBACK + ":" + firstStagePort(), spec.maxFrameBytes(), tlsOf("producer")), sink);
    Producer producer = new Producer(spec, toFirst, "local");
    try {
      FlowDriver.drive(o, producer, progress);
    } finally {
      toFirst.close(); // waits for the first stage's answers
      drain();
    }
    return RunResult.of(mode + "/" + spec.delivery().label(), sink.summary(), producer.sentPerFlow());
  }

  /** Stops the stages in chain order; each one's stop waits for its next hop's acks. */
  private synchronized void drain() {
    for (FrameServer s : stages) {
      stop(s);
    }
    stages.clear();
  }

  private static void stop(FrameServer s) {
    try {
      s.stop(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    drain();
    if (sinkServer != null) {
      stop(sinkServer);
    }
  }
}
