package io.edgepipe.launcher;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.producer.SinkRecorder;
import io.edgepipe.producer.SinkServer;
import io.edgepipe.runtime.ComputeStage;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageOptions;
import io.edgepipe.runtime.tls.TlsFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import io.edgepipe.launcher.options.BindOption;
import io.edgepipe.launcher.options.DeviceOption;
import io.edgepipe.launcher.options.FrameCount;
import io.edgepipe.launcher.options.PacingOption;
import io.edgepipe.launcher.options.SharedMemoryDirOption;
import io.edgepipe.launcher.options.SpecOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * {@code pipeline stage NAME}: one service alone, as a container runs it. Every flag falls back
 * to an environment variable so a k3s Deployment can configure it.
 */
@Command(name = "stage", mixinStandardHelpOptions = true,
    description = {"Run one service of the chain alone, as a container runs it.",
        "NAME is a compute stage named in the spec (conv, relu, maxpool), the producer (with its sink), or the "
            + "sink. Every flag falls back to an environment variable (EDGEPIPE_PORT, EDGEPIPE_NEXT, ...)."})
public final class StageCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "conv, relu, maxpool (any stage of the spec), producer or sink")
  String name;

  @Mixin
  SpecOption specOption;

  @Mixin
  DeviceOption deviceOption;

  @Mixin
  BindOption bind;

  @Mixin
  PacingOption pacing;

  @Mixin
  SharedMemoryDirOption sharedMemory;

  @Option(names = "--width", description = "Override the spec's input width.")
  Integer width;

  @Option(names = "--height", description = "Override the spec's input height.")
  Integer height;

  @Option(names = "--port", defaultValue = "${env:EDGEPIPE_PORT:-50051}", description = "gRPC port (env EDGEPIPE_PORT).")
  int port;

  @Option(names = "--metrics-port", defaultValue = "${env:EDGEPIPE_METRICS_PORT:-9090}", description = "Prometheus port, -1 for none (env EDGEPIPE_METRICS_PORT).")
  int metricsPort;

  @Option(names = "--next", defaultValue = "${env:EDGEPIPE_NEXT}", description = "Next hop: host:port or dns:///name:port (env EDGEPIPE_NEXT).")
  String next;

  @Option(names = "--node", defaultValue = "${env:EDGEPIPE_NODE:-local}", description = "Node name recorded in timings (env EDGEPIPE_NODE).")
  String node;

  @Option(names = "--sink-port", defaultValue = "${env:EDGEPIPE_SINK_PORT:-50060}", description = "producer only: port of its sink.")
  int sinkPort;

  @Option(names = "--source", defaultValue = "${env:EDGEPIPE_SOURCE:-synthetic}", description = "producer only: frame source.")
  String source;

  @Option(names = "--frames", defaultValue = "${env:EDGEPIPE_FRAMES:-all}", converter = FrameCount.class, paramLabel = "N",
      description = "producer only: frames per flow; 0 or all = until the source ends (default: ${DEFAULT-VALUE}).")
  long frames;

  @Option(names = "--flows", defaultValue = "1", description = "producer only: concurrent flows.")
  int flows;

  @Option(names = "--delivery", defaultValue = "${env:EDGEPIPE_DELIVERY}",
      description = "realtime or reliable; default: the spec's (env EDGEPIPE_DELIVERY).")
  String delivery;

  @Option(names = "--deadline-ms", defaultValue = "${env:EDGEPIPE_DEADLINE_MS}",
      description = "Drop frames older than this in realtime delivery; default: the spec's.")
  Long deadlineMs;

  @Option(names = "--tls-cert", defaultValue = "${env:EDGEPIPE_TLS_CERT}", paramLabel = "PEM",
      description = "This service's certificate: serve and call over mutual TLS (env EDGEPIPE_TLS_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", defaultValue = "${env:EDGEPIPE_TLS_KEY}", paramLabel = "PEM",
      description = "Its private key, PKCS#8 (env EDGEPIPE_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--tls-ca", defaultValue = "${env:EDGEPIPE_TLS_CA}", paramLabel = "PEM",
      description = "CA that signs every peer (env EDGEPIPE_TLS_CA).")
  Path tlsCa;

  @Option(names = "--kernel-threads", defaultValue = "${env:EDGEPIPE_KERNEL_THREADS:-0}", paramLabel = "N",
      description = "Most threads one kernel launch uses, this stage's own included; 0: every core "
          + "(env EDGEPIPE_KERNEL_THREADS, which the stage processes of run --processes inherit). With as many busy "
          + "stages as cores, 1 saves the hand-offs to helper threads that find no idle core.")
  int kernelThreads;

  @Override
  public Integer call() throws Exception {
    if (kernelThreads < 0) {
      throw new IllegalArgumentException("--kernel-threads must be >= 0 (0: every core), got " + kernelThreads);
    }
    io.edgepipe.kernels.Bands.limitThreads(kernelThreads);
    TlsFiles tls = TlsFiles.of(tlsCert, tlsKey, tlsCa, java.util.Map.of()); // env already applied by the defaults
    Path specFile = specOption.file();
    PipelineSpec spec = specOption.load();
    checkKnown(spec);
    sharedMemory.apply(); // before any hop opens: rings are created and mapped in this directory
    String host = bind.address();
    String device = deviceOption.value();
    java.util.logging.Logger.getLogger(StageCommand.class.getName()).info(name + ": " + io.edgepipe.api.VectorApi.status());
    if (width != null || height != null) {
      spec = spec.withInput(height != null ? height : spec.input().h(), width != null ? width : spec.input().w());
    }
    if (delivery != null && !delivery.isBlank()) {
      spec = spec.withDelivery(io.edgepipe.api.Delivery.parse(delivery));
    }
    if (deadlineMs != null) {
      spec = spec.withDeadline(deadlineMs);
    }
    if (name.equals("producer")) {
      return ProducerService.run(spec, specFile, host, sinkPort, metricsPort, next, node,
          new RunOptions(spec, specFile, source, frames, pacing.fps(), flows, device, 1, null, "npy"), tls);
    }
    FrameServer server;
    if (name.equals("sink")) {
      server = SinkServer.create(new SinkRecorder(null), host, port, metricsPort, spec.maxFrameBytes(), node, tls);
    } else {
      if (next == null || next.isBlank()) {
        throw new IllegalArgumentException("stage " + name + " needs --next (or EDGEPIPE_NEXT): where its output goes");
      }
      server = ComputeStage.create(new StageOptions(spec, name, host, port, metricsPort, next, device, node, tls));
    }
    server.start();
    FrameServer started = server;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        started.stop(20, TimeUnit.SECONDS); // SIGTERM (k3s, or `run --processes`) drains in-flight frames
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "drain"));
    server.awaitTermination();
    return 0;
  }

  /** A name that is neither a stage of the spec nor producer or sink is a user error listing the names that work. */
  private void checkKnown(PipelineSpec spec) {
    List<String> known = new ArrayList<>();
    spec.layers().forEach(l -> known.add(l.name()));
    known.add("producer");
    known.add("sink");
    if (!known.contains(name)) {
      throw new IllegalArgumentException("unknown stage '" + name + "': pipeline " + spec.name() + " ("
          + specOption.file() + ") has " + String.join(", ", known));
    }
  }
}
