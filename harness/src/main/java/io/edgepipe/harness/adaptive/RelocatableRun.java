package io.edgepipe.harness.adaptive;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.harness.RunResult;
import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.ComputeStage;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * An embedded chain (every service in this JVM, real gRPC over loopback) whose stages can be
 * moved while frames flow, the way the adaptive controller moves them between nodes: start the
 * stage anew (here: another server on loopback; on the testbed, in the other node's namespace),
 * point its upstream at it ({@link SwitchableDownstream#repoint}, make-before-break: new frames go
 * to the new instance at once while the old one answers what it was sent), then stop the old one
 * once it has. In reliable delivery no frame is lost or duplicated by a move, and the sink
 * delivers them in order.
 */
public final class RelocatableRun implements AutoCloseable {
  private static final Logger log = Logger.getLogger(RelocatableRun.class.getName());
  private static final String LOOPBACK = "127.0.0.1";
  private static final long DRAIN_TIMEOUT_MS = 30_000;

  private final PipelineSpec spec;
  private final String device;
  private final SinkRecorder sink;
  private final FrameServer sinkServer;
  private final List<LayerSpec> layers;
  private final FrameServer[] stages;
  /** upstreams[i]: what feeds stage i (the producer's first hop for 0, else stage i-1's downstream). */
  private final SwitchableDownstream[] upstreams;
  private int moves;

  public RelocatableRun(PipelineSpec spec, String device, Consumer<Frame> outputs) {
    this.spec = spec;
    this.device = device;
    this.layers = spec.layers();
    this.sink = new SinkRecorder(outputs, spec.delivery());
    this.stages = new FrameServer[layers.size()];
    this.upstreams = new SwitchableDownstream[layers.size()];
    try {
      sinkServer = SinkServer.create(sink, LOOPBACK, 0, -1, spec.maxFrameBytes(), "local", null).start();
      for (int i = layers.size() - 1; i >= 0; i--) {
        stages[i] = startStage(i);
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start the relocatable pipeline", e);
    }
  }

  /** Starts stage {@code i} on a fresh port, sending to stage i+1 (or the sink) as they are now. */
  private FrameServer startStage(int i) throws IOException {
    String next = LOOPBACK + ":" + (i + 1 < stages.length ? stages[i + 1].port() : sinkServer.port());
    StageOptions o = new StageOptions(spec, layers.get(i).name(), LOOPBACK, 0, -1, next, device, "local", null);
    FrameServer server = ComputeStage.create(o, downstream -> {
      SwitchableDownstream switchable = new SwitchableDownstream(downstream);
      if (i + 1 < upstreams.length) {
        upstreams[i + 1] = switchable; // this stage now feeds stage i+1
      }
      return switchable;
    }).start();
    return server;
  }

  /** A new connection from stage i's upstream to {@code port}, as the upstream's own would be. */
  private DownstreamClient connect(int i, int port) {
    return UpstreamLinks.toStage(spec, i, LOOPBACK + ":" + port, sink);
  }

  /**
   * Moves stage {@code i}: starts a new instance, repoints its upstream at it (new frames go there at
   * once), waits until the old one has answered the frames it was sent, then stops it.
   * Safe while frames flow; one move at a time.
   */
  public synchronized void move(int i) {
    FrameServer old = stages[i];
    int oldPort = old.port();
    SwitchableDownstream previousFeed = i + 1 < upstreams.length ? upstreams[i + 1] : null;
    try {
      FrameServer fresh = startStage(i);
      boolean drained = upstreams[i].repoint(connect(i, fresh.port()), DRAIN_TIMEOUT_MS);
      stages[i] = fresh;
      old.stop(30, TimeUnit.SECONDS);
      moves++;
      log.info("moved " + layers.get(i).name() + " from port " + oldPort + " to " + fresh.port()
          + (drained ? "" : " (old instance not drained in time)"));
    } catch (IOException e) {
      if (previousFeed != null) {
        upstreams[i + 1] = previousFeed;
      }
      throw new UncheckedIOException("cannot start the moved stage " + layers.get(i).name(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The port stage {@code i} serves on now (a move changes it). */
  public synchronized int port(int i) {
    return stages[i].port();
  }

  public synchronized int moves() {
    return moves;
  }

  /** Streams the run's flows through the chain (calling {@code progress} per frame), drains it and reports. */
  public RunResult run(RunOptions o, Runnable progress) {
    if (spec.delivery() != Delivery.RELIABLE) {
      log.info("moves in realtime delivery account for every frame but may drop some (tombstones)");
    }
    SwitchableDownstream first = new SwitchableDownstream(connect(0, stages[0].port()));
    upstreams[0] = first;
    Producer producer = new Producer(spec, first, "local");
    try {
      FlowDriver.drive(o, producer, progress);
    } finally {
      synchronized (this) {
        first.close(); // waits for the first stage's answers
        stopStages();
      }
    }
    return RunResult.of("relocatable/" + spec.delivery().label(), sink.summary(), producer.sentPerFlow());
  }

  private void stopStages() {
    for (int i = 0; i < stages.length; i++) {
      if (stages[i] != null) {
        try {
          stages[i].stop(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        stages[i] = null;
      }
    }
  }

  @Override
  public synchronized void close() {
    stopStages();
    if (sinkServer != null) {
      try {
        sinkServer.stop(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
