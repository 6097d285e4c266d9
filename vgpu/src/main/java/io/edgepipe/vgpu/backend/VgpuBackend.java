package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.proto.StatusRequest;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.edgepipe.vgpu.remote.Marshalling;
import io.edgepipe.vgpu.remote.Wire;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The vgpu-backend: serves many tenants' remote vGPUs on one device (cpu or cuda), enforcing
 * each session's fGPU share (see {@link FairScheduler}) and vMemory quota, keeping sessions'
 * handles apart, and freeing a session's memory when its stream ends. Tenants authenticate with
 * tokens from a {@link TokenStore}. Also serves gRPC health ({@code grpc.health.v1}) and a status
 * RPC.
 *
 * <pre>
 *   VgpuBackend b = VgpuBackend.onPort(50100, new CpuGpu(), TokenStore.load(path)).start();
 *   ...
 *   b.stop();
 * </pre>
 * The backend owns the device: {@link #stop()} closes it.
 */
public final class VgpuBackend {
  private static final Logger LOG = Logger.getLogger(VgpuBackend.class.getName());

  private final Server server;
  private final BackendCore core;
  private final HealthStatusManager health = new HealthStatusManager();
  private final boolean closesDevice;
  private boolean stopped;

  /**
   * A backend on TCP {@code port} (0 picks a free one) with the netty transport: 512 MiB message
   * limit, and keepalive pings every 30 s (10 s timeout) so that a client that vanished without
   * closing its connection is noticed and its session freed.
   */
  public static VgpuBackend onPort(int port, Gpu device, TokenStore tokens) {
    return onPort(port, device, tokens, FairScheduler.Config.DEFAULT);
  }

  public static VgpuBackend onPort(int port, Gpu device, TokenStore tokens, FairScheduler.Config config) {
    return onPort(port, device, tokens, BackendLimits.defaults().withScheduler(config));
  }

  public static VgpuBackend onPort(int port, Gpu device, TokenStore tokens, BackendLimits limits) {
    return new VgpuBackend(netty(NettyServerBuilder.forPort(port), limits), device, tokens, limits);
  }

  /**
   * A backend on {@code port} that requires TLS with {@code credentials} (mutual TLS: clients
   * must present a certificate from the deployment's CA), else as {@link #onPort}.
   */
  public static VgpuBackend onPort(int port, io.grpc.ServerCredentials credentials, Gpu device, TokenStore tokens) {
    return onPort(port, credentials, device, tokens, BackendLimits.defaults());
  }

  public static VgpuBackend onPort(int port, io.grpc.ServerCredentials credentials, Gpu device, TokenStore tokens,
      BackendLimits limits) {
    return new VgpuBackend(netty(NettyServerBuilder.forPort(port, credentials), limits), device, tokens, limits);
  }

  /** A backend on {@code address} only (e.g. one interface of a GPU server), else as {@link #onPort}. */
  public static VgpuBackend onAddress(InetSocketAddress address, Gpu device, TokenStore tokens) {
    return onAddress(address, device, tokens, BackendLimits.defaults());
  }

  public static VgpuBackend onAddress(InetSocketAddress address, Gpu device, TokenStore tokens, BackendLimits limits) {
    return new VgpuBackend(netty(NettyServerBuilder.forAddress(address), limits), device, tokens, limits);
  }

  /**
   * A backend reachable from this machine only (127.0.0.1 or ::1, a free port): for profiling and
   * benchmarks that compare a local device with the same device behind the vGPU shim.
   */
  public static VgpuBackend onLoopback(Gpu device, TokenStore tokens) {
    return onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device, tokens);
  }

  /**
   * Keepalive: the backend pings an idle connection every 30 s and closes it when no answer comes
   * within 10 s (a vanished client's sessions are freed); clients may ping every 10 s or more
   * rarely, also without calls. A connection that has not finished its handshake within the
   * limits' handshake timeout, or has had no call for their idle time, is closed.
   */
  private static NettyServerBuilder netty(NettyServerBuilder b, BackendLimits limits) {
    // handlers never block (they queue work for the device thread), so they may run on the
    // transport's threads: one thread hop less per round trip
    return b
        .directExecutor()
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(limits.idleConnectionMillis(), TimeUnit.MILLISECONDS)
        .handshakeTimeout(limits.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  /** A backend on any transport (tests use the in-process one). */
  public VgpuBackend(ServerBuilder<?> builder, Gpu device, TokenStore tokens, FairScheduler.Config config) {
    this(builder, device, tokens, BackendLimits.defaults().withScheduler(config));
  }

  /** A backend on any transport, with {@code limits}. */
  public VgpuBackend(ServerBuilder<?> builder, Gpu device, TokenStore tokens, BackendLimits limits) {
    this(builder, device, tokens, limits, true);
  }

  /**
   * A backend on {@code address} that leaves {@code device} open when it stops: for
   * {@link BackendWarmUp}'s private backend, which exercises the device another backend will serve.
   */
  static VgpuBackend sharingDevice(InetSocketAddress address, Gpu device, TokenStore tokens, BackendLimits limits) {
    return new VgpuBackend(netty(NettyServerBuilder.forAddress(address), limits), device, tokens, limits, false);
  }

  private VgpuBackend(ServerBuilder<?> builder, Gpu device, TokenStore tokens, BackendLimits limits,
      boolean closesDevice) {
    this.closesDevice = closesDevice;
    this.core = new BackendCore(device, limits, tokens);
    this.server = builder
        .maxInboundMessageSize(limits.maxMessageBytes())
        .addService(ServerInterceptors.intercept(definition(new VgpuService(core)), new AuthInterceptor(tokens)))
        .addService(health.getHealthService())
        .build();
  }

  /**
   * The service with the copy-saving marshallers on the Session stream ({@link Marshalling}): a
   * batch is parsed in place over the transport's buffers (held until it has run) and the device
   * reads its payloads there; replies are written with a large encoder.
   */
  private static ServerServiceDefinition definition(VgpuService service) {
    ServerServiceDefinition stock = service.bindService();
    MethodDescriptor<ClientMessage, ServerMessage> session = VgpuGrpc.getSessionMethod().toBuilder(
        SessionHandler.REQUESTS, Marshalling.copyOnce(ServerMessage.getDefaultInstance()))
        .build();
    MethodDescriptor<StatusRequest, StatusReply> status = VgpuGrpc.getStatusMethod();
    ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(VgpuGrpc.SERVICE_NAME)
        .setSchemaDescriptor(VgpuGrpc.getServiceDescriptor().getSchemaDescriptor())
        .addMethod(session)
        .addMethod(status)
        .build();
    @SuppressWarnings("unchecked")
    ServerCallHandler<ClientMessage, ServerMessage> sessionHandler = (ServerCallHandler<ClientMessage, ServerMessage>)
        stock.getMethod(session.getFullMethodName()).getServerCallHandler();
    @SuppressWarnings("unchecked")
    ServerCallHandler<StatusRequest, StatusReply> statusHandler = (ServerCallHandler<StatusRequest, StatusReply>)
        stock.getMethod(status.getFullMethodName()).getServerCallHandler();
    return ServerServiceDefinition.builder(descriptor)
        .addMethod(session, sessionHandler)
        .addMethod(status, statusHandler)
        .build();
  }

  public VgpuBackend start() throws IOException {
    // segments of clients killed before this backend (or any peer) mapped them
    io.edgepipe.api.shm.SharedMemory.reclaimOrphans();
    server.start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(VgpuGrpc.SERVICE_NAME, ServingStatus.SERVING);
    LOG.info(() -> "vgpu-backend serving " + core.device.name() + " on " + server.getListenSockets());
    return this;
  }

  /** The bound port (after {@link #start()}; -1 for transports without one). */
  public int port() {
    return server.getPort();
  }

  public String deviceName() {
    return core.device.name();
  }

  /** Device memory the backend has allocated for sessions and not yet freed. */
  public long deviceBytesInUse() {
    return core.deviceBytesInUse();
  }

  public int sessions() {
    return core.sessionCount();
  }

  /** Sessions, their memory and busy time (the status RPC returns the same). */
  public StatusReply status() {
    return core.status();
  }

  /** The limits this backend enforces. */
  public BackendLimits limits() {
    return core.limits;
  }

  /** Batches parsed in place whose transport buffers are still held (0 when idle: none leaked). */
  public static int requestsHeld() {
    return SessionHandler.REQUESTS.held();
  }

  /** Batches parsed in place so far (in this process). */
  public static long requestsParsedInPlace() {
    return SessionHandler.REQUESTS.parsedInPlace();
  }

  /** Device memory reserved by open sessions (their vMemory quotas). */
  public long deviceBytesReserved() {
    return core.deviceBytesReserved();
  }

  /** Device memory sessions' reservations may add up to. */
  public long deviceBytesReservable() {
    return core.reservableBytes();
  }

  /** Host memory reserved by open sessions for their messages. */
  public long hostBytesReserved() {
    return core.hostBytesReserved();
  }

  /** Open and reply deadlines waiting on the backend's timer (tests check they do not pile up). */
  int pendingDeadlines() {
    return ((java.util.concurrent.ScheduledThreadPoolExecutor) core.timers).getQueue().size();
  }

  /** {@link #stop(long)} with 5 s of grace. */
  public void stop() throws InterruptedException {
    stop(5_000);
  }

  /**
   * Stops accepting sessions, gives open ones {@code graceMillis} to close, cancels the rest
   * (which frees their memory), stops the device thread and closes the device.
   */
  public synchronized void stop(long graceMillis) throws InterruptedException {
    if (stopped) {
      return;
    }
    stopped = true;
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    core.scheduler.close(); // runs the queued releases first
    core.replies.shutdownNow();
    core.timers.shutdownNow();
    if (closesDevice) {
      core.device.close();
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
