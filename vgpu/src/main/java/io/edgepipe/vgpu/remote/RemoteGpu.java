package io.edgepipe.vgpu.remote;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.LaunchCheck;
import io.edgepipe.vgpu.proto.Arg;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.Free;
import io.edgepipe.vgpu.proto.GetFunction;
import io.edgepipe.vgpu.proto.Launch;
import io.edgepipe.vgpu.proto.LoadModule;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.Opened;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The remote vGPU shim ({@code vgpu://host:port}): a {@link Gpu} whose calls run on a
 * vgpu-backend's device, as in gEdge's API redirection.
 *
 * <p><b>Batching.</b> {@link #copyHtoDAsync}, {@link #launch} and {@link #copyDtoHAsync} are
 * queued here and sent as one message at {@link #synchronize()}; the reply carries the DtoH data.
 * So a frame through a stage (upload, launches, download, sync) costs exactly one round trip
 * ({@link #roundTrips()} counts them). The blocking copies are the async ones plus a sync.
 * {@link #loadModule}, {@link #function}, {@link #malloc} and {@link #free} are sent at once,
 * together with whatever is queued (one round trip), so their errors, e.g. malloc's
 * RESOURCE_EXHAUSTED when the vMemory quota would be exceeded, are thrown by the call itself.
 * Launches are checked here too (argument kinds and buffer sizes, see {@link LaunchCheck}), so a
 * bad launch fails at the call; failures only the backend can see (an unknown handle) surface at
 * the next sync with the failing op named. A batch whose payload would pass the message limit
 * ({@link Wire#MAX_BATCH_PAYLOAD}) is sent early.
 *
 * <p><b>Copies.</b> HtoD payloads travel as views of the caller's buffers
 * ({@link UnsafeByteOperations#unsafeWrap}), valid because the caller may not touch them before
 * the sync; DtoH data is copied once, from the reply into the caller's buffer. Host buffers'
 * positions are left unchanged.
 *
 * <p><b>Session.</b> The session is one gRPC stream: {@link #close()} ends it and waits for the
 * backend to free everything; if the process dies, the backend sees the stream break (or its
 * keepalive fails) and frees the session's memory just the same. Not thread-safe, like every Gpu.
 */
public final class RemoteGpu implements Gpu {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of(Wire.TENANT_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final String displayName;
  private final ManagedChannel ownedChannel;
  private final SessionStream stream;
  private final Opened opened;

  private Batch.Builder pending = Batch.newBuilder();
  private final List<ByteBuffer> pendingDtoH = new ArrayList<>();
  /** Kernel names by function handle, to name a failed launch. */
  private final Map<Long, String> functionNames = new HashMap<>();
  private long pendingUp;
  private long pendingDown;
  private long seq;
  private boolean closed;

  private long roundTrips;
  private long bytesUp;
  private long bytesDown;
  private long busyNanos;
  private long bytesInUse;
  private long peakBytesInUse;
  private final Map<Long, Long> sizes = new HashMap<>();

  /**
   * Connects to {@code spec}'s backend over TCP (plaintext: keep the backend on a trusted
   * network) and opens a session. The channel is this device's and closes with it.
   *
   * @throws GpuException UNAUTHENTICATED for a missing/unknown token, UNAVAILABLE when the backend
   *     cannot be reached, INVALID_ARGUMENT for quotas it refuses
   */
  public static RemoteGpu connect(RemoteSpec spec) {
    // the response observer only hands messages to the waiting caller, so it may run on the
    // transport's thread: one thread hop less per round trip
    ManagedChannel ch = NettyChannelBuilder.forAddress(spec.host(), spec.port())
        .usePlaintext()
        .directExecutor()
        .maxInboundMessageSize(Wire.MAX_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .flowControlWindow(Integer.getInteger("vgpu.window", 1 << 20))
        .build();
    try {
      return new RemoteGpu(ch, true, spec);
    } catch (RuntimeException e) {
      ch.shutdownNow();
      throw e;
    }
  }

  /**
   * Opens a session on an existing channel (several devices may share one). The channel stays
   * the caller's unless {@code ownChannel}; it must accept messages of
   * {@link Wire#MAX_MESSAGE_BYTES} if frames are large.
   */
  public RemoteGpu(Channel channel, boolean ownChannel, RemoteSpec spec) {
    this.displayName = spec.displayName();
    this.ownedChannel = ownChannel && channel instanceof ManagedChannel m ? m : null;
    Metadata md = new Metadata();
    if (!spec.token().isEmpty()) {
      md.put(AUTHORIZATION, "Bearer " + spec.token());
    }
    if (!spec.tenant().isEmpty()) {
      md.put(TENANT, spec.tenant());
    }
    VgpuGrpc.VgpuStub stub = VgpuGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withMaxInboundMessageSize(Wire.MAX_MESSAGE_BYTES)
        .withMaxOutboundMessageSize(Wire.MAX_MESSAGE_BYTES);
    this.stream = new SessionStream(stub);
    ServerMessage reply;
    try {
      reply = stream.call(ClientMessage.newBuilder().setOpen(Open.newBuilder()
          .setFgpu(spec.fgpu()).setVmemUnits(spec.vmemUnits()).setClient(spec.client())).build());
    } catch (GpuException e) {
      if (e.code().equals("UNAUTHENTICATED") && spec.token().isEmpty()) {
        throw new GpuException(e.code(), "no vGPU token given for " + displayName + " (use ?token=, "
            + "EDGEPIPE_VGPU_TOKEN or EDGEPIPE_VGPU_TOKEN_FILE): " + e.getMessage(), e);
      }
      throw e;
    }
    if (!reply.hasOpened()) {
      stream.abort();
      throw new GpuException("INTERNAL", "backend answered open with " + reply.getKindCase());
    }
    this.opened = reply.getOpened();
    roundTrips++;
  }

  @Override
  public String name() {
    return displayName;
  }

  /** The backend's device, e.g. "cuda:0 NVIDIA H100" or "cpu". */
  public String backendDevice() {
    return opened.getDeviceName();
  }

  public String sessionId() {
    return opened.getSessionId();
  }

  /** The tenant the backend admitted this session as. */
  public String tenant() {
    return opened.getTenant();
  }

  /** Device memory this session may hold (its vMemory quota in bytes). */
  public long vmemBytesAllowed() {
    return opened.getVmemBytesAllowed();
  }

  /** Messages sent to the backend and answered, the session's open included. */
  public long roundTrips() {
    return roundTrips;
  }

  /** HtoD payload bytes sent so far. */
  public long bytesUploaded() {
    return bytesUp;
  }

  /** DtoH payload bytes received so far. */
  public long bytesDownloaded() {
    return bytesDown;
  }

  /**
   * Device time the backend reports for this session's batches: what the work costs on the
   * server's device, without transport (for profile-guided fGPU sizing).
   */
  public long deviceBusyNanos() {
    return busyNanos;
  }

  /** Device memory this session holds now. */
  public long bytesInUse() {
    return bytesInUse;
  }

  /** Most device memory this session has held at once (for profile-guided vMemory sizing). */
  public long peakBytesInUse() {
    return peakBytesInUse;
  }

  @Override
  public GpuModule loadModule(String moduleName) {
    add(Op.newBuilder().setLoadModule(LoadModule.newBuilder().setName(moduleName)));
    return new GpuModule(moduleName, lastHandle(flush()));
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    add(Op.newBuilder().setGetFunction(GetFunction.newBuilder().setModule(module.handle()).setName(kernelName)));
    GpuFunction f = new GpuFunction(module, kernelName, lastHandle(flush()));
    functionNames.put(f.handle(), kernelName);
    return f;
  }

  @Override
  public DevicePtr malloc(long bytes) {
    if (bytes < 1) {
      throw new GpuException("INVALID_ARGUMENT", "malloc of " + bytes + " bytes: size must be >= 1");
    }
    add(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(bytes)));
    DevicePtr p = new DevicePtr(lastHandle(flush()), bytes);
    sizes.put(p.handle(), bytes);
    bytesInUse += bytes;
    peakBytesInUse = Math.max(peakBytesInUse, bytesInUse);
    return p;
  }

  @Override
  public void free(DevicePtr ptr) {
    add(Op.newBuilder().setFree(Free.newBuilder().setPtr(ptr.handle())));
    flush();
    Long size = sizes.remove(ptr.handle());
    bytesInUse -= size == null ? 0 : size;
  }

  @Override
  public void copyHtoD(DevicePtr dst, ByteBuffer src) {
    copyHtoDAsync(dst, src);
    synchronize();
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    int n = src.remaining();
    if (n > dst.bytes()) {
      throw new GpuException("INVALID_ARGUMENT", "copyHtoD of " + n + " bytes into a buffer of " + dst.bytes() + " bytes");
    }
    makeRoom(n, 0);
    // a view, not a copy: the caller keeps src unchanged until synchronize (Gpu contract)
    ByteString data = UnsafeByteOperations.unsafeWrap(src.slice());
    add(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(dst.handle()).setData(data)));
    pendingUp += n;
  }

  @Override
  public void copyDtoH(ByteBuffer dst, DevicePtr src) {
    copyDtoHAsync(dst, src);
    synchronize();
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    int n = dst.remaining();
    if (n > src.bytes()) {
      throw new GpuException("INVALID_ARGUMENT", "copyDtoH of " + n + " bytes from a buffer of " + src.bytes() + " bytes");
    }
    if (dst.isReadOnly()) {
      throw new GpuException("INVALID_ARGUMENT", "copyDtoH into a read-only buffer");
    }
    makeRoom(0, n);
    add(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(src.handle()).setBytes(n)));
    pendingDtoH.add(dst.duplicate());
    pendingDown += n;
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    if (LaunchCheck.isKnown(function.name())) {
      // the catalog's kernels are checked here, so a bad launch fails at the call; other
      // kernels (a backend device may have more) are checked by the backend's device
      LaunchCheck.check(function.name(), grid, block, args);
    }
    Launch.Builder l = Launch.newBuilder().setFunction(function.handle())
        .setGrid(dim(grid)).setBlock(dim(block));
    for (KernelArgs.Arg a : args.list()) {
      l.addArgs(a.isPointer() ? Arg.newBuilder().setPtr(a.ptr().handle()) : Arg.newBuilder().setI32(a.value()));
    }
    add(Op.newBuilder().setLaunch(l));
  }

  @Override
  public void synchronize() {
    open();
    if (pending.getOpsCount() > 0) {
      flush();
    }
  }

  /** Ends the session: the backend frees everything it holds; queued calls are dropped. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pending = Batch.newBuilder();
    pendingDtoH.clear();
    stream.close(5_000);
    if (ownedChannel != null) {
      ownedChannel.shutdown();
      try {
        if (!ownedChannel.awaitTermination(5, TimeUnit.SECONDS)) {
          ownedChannel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ownedChannel.shutdownNow();
      }
    }
  }

  private void add(Op.Builder op) {
    open();
    pending.addOps(op);
  }

  /** Sends what is queued first if adding up/down payload bytes would pass the message limit. */
  private void makeRoom(long up, long down) {
    open();
    if (up > Wire.MAX_BATCH_PAYLOAD || down > Wire.MAX_BATCH_PAYLOAD) {
      throw new GpuException("INVALID_ARGUMENT", "a single copy of " + Math.max(up, down)
          + " bytes exceeds the vGPU message limit of " + Wire.MAX_BATCH_PAYLOAD + " bytes");
    }
    if (pendingUp + up > Wire.MAX_BATCH_PAYLOAD || pendingDown + down > Wire.MAX_BATCH_PAYLOAD) {
      flush();
    }
  }

  /** Sends the queued ops as one batch, delivers the DtoH data, throws the first failure. */
  private BatchResult flush() {
    Batch batch = pending.setSeq(++seq).build();
    List<ByteBuffer> dsts = new ArrayList<>(pendingDtoH);
    pending = Batch.newBuilder();
    pendingDtoH.clear();
    bytesUp += pendingUp;
    pendingUp = 0;
    pendingDown = 0;
    ServerMessage reply = stream.call(ClientMessage.newBuilder().setBatch(batch).build());
    roundTrips++;
    if (!reply.hasResult() || reply.getResult().getSeq() != batch.getSeq()) {
      throw new GpuException("INTERNAL", "backend answered batch " + batch.getSeq() + " with " + reply.getKindCase());
    }
    BatchResult r = reply.getResult();
    busyNanos += r.getBusyNanos();
    for (int i = 0; i < r.getDtohCount(); i++) {
      ByteString data = r.getDtoh(i);
      ByteBuffer dst = dsts.get(i);
      if (data.size() != dst.remaining()) {
        throw new GpuException("INTERNAL", "backend returned " + data.size() + " bytes for a copy of " + dst.remaining());
      }
      data.copyTo(dst); // dst is a duplicate: the caller's position stays put
      bytesDown += data.size();
    }
    if (r.hasError()) {
      int at = r.getError().getOpIndex();
      String where = at < 0 ? "at synchronize" : "in op " + at + " (" + describe(batch.getOps(at)) + ")";
      throw new GpuException(r.getError().getCode(), where + ": " + r.getError().getMessage());
    }
    return r;
  }

  private static long lastHandle(BatchResult r) {
    return r.getHandles(r.getHandlesCount() - 1);
  }

  private String describe(Op op) {
    return switch (op.getKindCase()) {
      case LAUNCH -> "launch of " + functionNames.getOrDefault(op.getLaunch().getFunction(), "function handle "
          + op.getLaunch().getFunction());
      case HTOD -> "copyHtoD to handle " + op.getHtod().getDst();
      case DTOH -> "copyDtoH from handle " + op.getDtoh().getSrc();
      case MALLOC -> "malloc of " + op.getMalloc().getBytes() + " bytes";
      case FREE -> "free of handle " + op.getFree().getPtr();
      case LOAD_MODULE -> "loadModule " + op.getLoadModule().getName();
      case GET_FUNCTION -> "function " + op.getGetFunction().getName();
      default -> op.getKindCase().name();
    };
  }

  private static io.edgepipe.vgpu.proto.Dim3 dim(Dim3 d) {
    return io.edgepipe.vgpu.proto.Dim3.newBuilder().setX(d.x()).setY(d.y()).setZ(d.z()).build();
  }

  private void open() {
    if (closed) {
      throw new GpuException("UNAVAILABLE", displayName + " is closed");
    }
  }
}
