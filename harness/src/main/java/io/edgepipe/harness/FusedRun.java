package io.edgepipe.harness;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.FlowDriver;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.producer.Producer;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameHandler;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.runtime.StageMetrics;
import io.edgepipe.runtime.StageService;
import io.edgepipe.runtime.Transport;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The embedded pipeline with consecutive layers grouped into services: {@code [[conv, relu],
 * [maxpool]]} runs the producer, a {@code conv+relu} service and a {@code maxpool} service (a
 * 3-stage pipeline, producer included, as the thesis counts). Each group is one service of the
 * project's runtime, wired as {@code ComputeStage} wires a single layer (same FrameHandler,
 * FrameServer, StageService and streaming DownstreamClient over loopback gRPC, its own device),
 * except that its processor runs the group's layers in turn ({@link FusedProcessor}). One layer
 * per group is the ordinary 4-stage pipeline.
 */
public final class FusedRun implements AutoCloseable {
  private static final Logger log = Logger.getLogger(FusedRun.class.getName());
  private static final String LOOPBACK = "127.0.0.1";

  private final PipelineSpec spec;
  private final SinkRecorder sink;
  private final FrameServer sinkServer;
  private final List<FrameServer> services = new ArrayList<>(); // chain order

  /**
   * @param groups  the spec's layers by name, in chain order, each inner list one service
   * @param outputs called with every delivered frame (may be null)
   */
  public FusedRun(PipelineSpec spec, List<List<String>> groups, String device, Consumer<Frame> outputs) {
    checkGroups(spec, groups);
    this.spec = spec;
    this.sink = new SinkRecorder(outputs, spec.delivery());
    try {
      sinkServer = SinkServer.create(sink, LOOPBACK, 0, -1, spec.maxFrameBytes(), "local").start();
      String next = LOOPBACK + ":" + sinkServer.port();
      FrameServer[] started = new FrameServer[groups.size()];
      for (int g = groups.size() - 1; g >= 0; g--) {
        started[g] = service(groups.get(g), next, g == groups.size() - 1, device).start();
        next = LOOPBACK + ":" + started[g].port();
      }
      services.addAll(List.of(started));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot start the fused pipeline", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The service name of a group: its layer names joined with '+'. */
  public static String name(List<String> group) {
    return String.join("+", group);
  }

  /** Refuses groups that are not the spec's layers, each once, in chain order. */
  static void checkGroups(PipelineSpec spec, List<List<String>> groups) {
    List<String> flat = new ArrayList<>();
    groups.forEach(flat::addAll);
    List<String> layers = spec.layers().stream().map(LayerSpec::name).toList();
    if (groups.stream().anyMatch(List::isEmpty) || !flat.equals(layers)) {
      throw new IllegalArgumentException("groups " + groups + " must split the layers " + layers
          + " into non-empty consecutive runs, in order");
    }
  }

  private FrameServer service(List<String> group, String next, boolean feedsSink, String device) {
    String name = name(group);
    List<TensorShape> shapes = spec.shapes();
    Gpu gpu = Devices.open(device);
    List<GpuLayer> layers = new ArrayList<>();
    for (String layer : group) {
      int index = spec.indexOf(layer);
      layers.add(Layers.create(spec.layers().get(index), shapes.get(index), gpu));
    }
    StageMetrics metrics = new StageMetrics(name);
    DownstreamClient downstream = new DownstreamClient(name, Transport.channel(next, spec.maxFrameBytes()), true,
        feedsSink, ack -> {
          metrics.downstreamRejected();
          log.warning(name + ": next hop refused " + ack.getFlowId() + "/" + ack.getSeq() + ": " + ack.getMessage());
        }, spec.delivery());
    FrameHandler handler = new FrameHandler(name, "local", new FrameValidator(spec.maxFrameBytes()),
        new FusedProcessor(name, layers, gpu), downstream, metrics, spec.delivery(), spec.deadlineMillis());
    return new FrameServer(name, LOOPBACK, 0, -1, spec.maxFrameBytes(), new StageService(handler), handler,
        downstream);
  }

  /** Streams the run's flows through the chain, drains it and reports (as EmbeddedRun does). */
  public RunResult run(RunOptions o, Runnable progress) {
    DownstreamClient toFirst = new DownstreamClient("producer",
        Transport.channel(LOOPBACK + ":" + services.get(0).port(), spec.maxFrameBytes()), true, false,
        ack -> { }, spec.delivery()); // refusals reach the sink as tombstones
    Producer producer = new Producer(spec, toFirst, "local");
    try {
      FlowDriver.drive(o, producer, progress);
    } finally {
      toFirst.close(); // waits for the first service's answers
      for (FrameServer s : services) {
        stop(s); // drains into its next hop, which is still up
      }
      services.clear();
    }
    return RunResult.of("fused/" + spec.delivery().label(), sink.summary(), producer.sentPerFlow());
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
    for (FrameServer s : services) {
      stop(s);
    }
    services.clear();
    if (sinkServer != null) {
      stop(sinkServer);
    }
  }
}
