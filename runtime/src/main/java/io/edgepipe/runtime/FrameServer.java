package io.edgepipe.runtime;

import io.edgepipe.runtime.shm.SharedMemoryNegotiation;
import io.edgepipe.runtime.tls.TlsFiles;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A gRPC server for one service of the chain (a stage or the sink) with the health service,
 * reflection, and its metrics over HTTP. Start, stop and awaitTermination as in grpc-java's
 * examples; {@link #stop} drains: the health status turns NOT_SERVING, new calls are refused, and
 * streams in progress are allowed to finish before the downstream is closed.
 */
public final class FrameServer {
  private static final Logger log = Logger.getLogger(FrameServer.class.getName());

  /**
   * -Dedgepipe.server.executor=pool hands every call to gRPC's executor (a hand-off per message),
   * even on servers built to {@link #handleOnTransportThread}, to compare.
   */
  private static final boolean ALWAYS_POOL = "pool".equals(System.getProperty("edgepipe.server.executor"));

  private final String name;
  private final String host;
  private final int requestedPort;
  private final int metricsPort;
  private final long maxFrameBytes;
  private final BindableService service;
  private final FrameHandler handler;
  private final Downstream downstream;
  private final TlsFiles tls;
  private final HealthStatusManager health = new HealthStatusManager();
  private Server server;
  private Server sameJvmServer; // the same services in-process, for hops from this JVM
  private MetricsHttpServer metricsServer;
  private boolean onTransportThread;

  /**
   * @param port        gRPC port (0 = any free port)
   * @param metricsPort Prometheus port (0 = any free port, -1 = none)
   * @param downstream  closed after the server has drained; null for the sink
   */
  public FrameServer(String name, String host, int port, int metricsPort, long maxFrameBytes,
      BindableService service, FrameHandler handler, Downstream downstream) {
    this(name, host, port, metricsPort, maxFrameBytes, service, handler, downstream, null);
  }

  /** @param tls serve mutual TLS with these files (clients need a certificate from its CA); null = plaintext */
  public FrameServer(String name, String host, int port, int metricsPort, long maxFrameBytes,
      BindableService service, FrameHandler handler, Downstream downstream, TlsFiles tls) {
    this.tls = tls;
    this.name = name;
    this.host = host;
    this.requestedPort = port;
    this.metricsPort = metricsPort;
    this.maxFrameBytes = maxFrameBytes;
    this.service = service;
    this.handler = handler;
    this.downstream = downstream;
  }

  /**
   * Handles frames on the transport thread that read them, not on gRPC's executor: no hand-off
   * to another thread (a wake-up) per frame and per answer. Only for a service whose handling
   * never waits on another thread or on a next hop (the sink): a handler that waits would hold a
   * transport thread that other connections of this JVM share. Before {@link #start}.
   */
  public FrameServer handleOnTransportThread() {
    onTransportThread = true;
    return this;
  }

  public FrameServer start() throws IOException {
    ServerServiceDefinition frames = FrameMarshalling.strict(service.bindService());
    io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder builder = Transport.server(host, requestedPort, maxFrameBytes, tls);
    if (onTransportThread && !ALWAYS_POOL) {
      builder.directExecutor();
    }
    server = builder
        .addService(io.grpc.ServerInterceptors.intercept(frames, SharedMemoryNegotiation.server()))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build()
        .start();
    if (tls == null) {
      sameJvmServer = SameJvmHops.serve(server.getPort(), List.of(frames, health.getHealthService().bindService()));
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    if (metricsPort >= 0) {
      metricsServer = new MetricsHttpServer(host, metricsPort, handler.metrics()::scrape);
    }
    log.info(name + ": serving " + (tls != null ? "mutual TLS" : "plaintext") + " on " + host + ":" + port()
        + (metricsServer != null ? ", metrics on :" + metricsServer.port() + "/metrics" : ""));
    return this;
  }

  public int port() {
    return server.getPort();
  }

  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  public FrameHandler handler() {
    return handler;
  }

  /** Graceful: stop accepting, let streams in progress finish, then close the downstream. */
  public void stop(long timeout, TimeUnit unit) throws InterruptedException {
    if (server == null) {
      return;
    }
    health.enterTerminalState();
    SameJvmHops.stopped(server.getPort());
    server.shutdown();
    if (sameJvmServer != null) {
      sameJvmServer.shutdown();
    }
    if (!server.awaitTermination(timeout, unit)
        || (sameJvmServer != null && !sameJvmServer.awaitTermination(timeout, unit))) {
      log.warning(name + ": streams still open after " + timeout + " " + unit + "; cancelling them");
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      if (sameJvmServer != null) {
        sameJvmServer.shutdownNow();
        sameJvmServer.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    if (downstream != null) {
      downstream.close();
    }
    handler.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }

  /**
   * Stops at once without draining, as a crash would: streams are cancelled, frames in the
   * stage are lost, the next hop is disconnected. Used by fault tests to kill a stage in-process.
   */
  public void kill() {
    if (server == null) {
      return;
    }
    SameJvmHops.stopped(server.getPort());
    server.shutdownNow();
    if (sameJvmServer != null) {
      sameJvmServer.shutdownNow();
    }
    if (downstream != null) {
      downstream.abort();
    }
    handler.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      if (sameJvmServer != null) {
        sameJvmServer.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
