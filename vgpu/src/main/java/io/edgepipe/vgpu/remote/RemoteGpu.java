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
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

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
 * Launches are checked here too (argument kinds and buffer sizes, see {@link LaunchCheck}), and so
 * are handles: a pointer, module or function this device did not hand out (freed, forged, or
 * another device's) is NOT_FOUND at the call. Failures only the backend can see surface at the next
 * sync with the failing op named. A batch whose payload would pass the message limit
 * ({@link Wire#MAX_BATCH_PAYLOAD}) is sent early.
 *
 * <p><b>Copies.</b> HtoD payloads travel as views of the caller's buffers
 * ({@link UnsafeByteOperations#unsafeWrap}), valid because the caller may not touch them before
 * the sync; replies are parsed in place ({@link Marshalling.Retaining}), so DtoH data is copied once,
 * from the transport's buffers into the caller's. Host buffers' positions are left unchanged.
 *
 * <p><b>Backend restarts.</b> Handles given to the caller are this device's own, mapped to the
 * current session's. The device keeps a journal of what a new session needs to look like the old
 * one: loaded modules and functions, live buffers, and the contents of buffers last written by a
 * blocking {@link #copyHtoD} (weights and other constants; up to {@link #JOURNAL_LIMIT} bytes in
 * all). When the session is lost (backend restarted, connection dropped), the next message
 * reconnects with backoff for up to the spec's reconnect window, replays the journal in one
 * message, and resends the interrupted batch, so the call succeeds as if nothing happened. Buffers
 * whose contents came from async copies or kernels are lost with the old session; a batch that
 * reads one before writing it again fails with UNAVAILABLE naming it (a stage's per-frame buffers
 * are always written first, so stages recover transparently). If the backend stays away the call
 * fails with UNAVAILABLE after the reconnect window and the next call tries again. Every wait has
 * a deadline (the spec's call timeout): a backend that does not answer ends the session with
 * DEADLINE_EXCEEDED instead of hanging the caller.
 *
 * <p><b>Session.</b> The session is one gRPC stream: {@link #close()} ends it and waits for the
 * backend to free everything; if the process dies, the backend sees the stream break (or its
 * keepalive fails) and frees the session's memory just the same. Not thread-safe, like every Gpu.
 */
public final class RemoteGpu implements Gpu {
  private static final Logger LOG = Logger.getLogger(RemoteGpu.class.getName());
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of(Wire.TENANT_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  /** Most bytes of constant buffer contents kept to replay after a backend restart. */
  public static final long JOURNAL_LIMIT = 64L << 20;

  /** Handles are unique in the process, so another device's handle is never valid here. */
  private static final AtomicLong HANDLES = new AtomicLong(1);

  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 1_000;

  private final RemoteSpec spec;
  private final String displayName;
  private final Channel channel;
  private final ManagedChannel managed;
  private final boolean ownsChannel;
  private final CallOptions callOptions;

  private SessionStream stream;
  private Opened opened;
  private boolean closed;

  // ---- journal: what this device holds, by this device's handles ----
  private final Map<Long, String> modules = new LinkedHashMap<>();
  private final Map<Long, FunctionRec> functions = new LinkedHashMap<>();
  private final Map<Long, Buf> buffers = new LinkedHashMap<>();
  /** This device's handles to the current session's. */
  private final Map<Long, Long> backendHandles = new HashMap<>();
  private long journalBytes;

  private final List<Call> pending = new ArrayList<>();
  private long pendingUp;
  private long pendingDown;
  private long seq;

  private long roundTrips;
  private long reconnects;
  private long bytesUp;
  private long bytesDown;
  private long busyNanos;
  private long bytesInUse;
  private long peakBytesInUse;

  /**
   * Connects to {@code spec}'s backend over TCP (plaintext: keep the backend on a trusted
   * network) and opens a session. The channel is this device's and closes with it.
   *
   * @throws GpuException UNAUTHENTICATED for a missing/unknown token, UNAVAILABLE when the backend
   *     cannot be reached, INVALID_ARGUMENT for quotas it refuses
   */
  public static RemoteGpu connect(RemoteSpec spec) {
    return connect(spec, null);
  }

  /** As {@link #connect(RemoteSpec)}, over TLS with {@code credentials} (plaintext when null). */
  public static RemoteGpu connect(RemoteSpec spec, io.grpc.ChannelCredentials credentials) {
    // the response observer only hands messages to the waiting caller, so it may run on the
    // transport's thread: one thread hop less per round trip
    NettyChannelBuilder builder = credentials == null
        ? NettyChannelBuilder.forAddress(spec.host(), spec.port()).usePlaintext()
        : NettyChannelBuilder.forAddress(spec.host(), spec.port(), credentials);
    ManagedChannel ch = builder
        .directExecutor()
        .maxInboundMessageSize(Wire.MAX_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
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
    this.spec = spec;
    this.displayName = spec.displayName();
    this.managed = channel instanceof ManagedChannel m ? m : null;
    this.ownsChannel = ownChannel && managed != null;
    Metadata md = new Metadata();
    if (!spec.token().isEmpty()) {
      md.put(AUTHORIZATION, "Bearer " + spec.token());
    }
    if (!spec.tenant().isEmpty()) {
      md.put(TENANT, spec.tenant());
    }
    this.channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
    this.callOptions = CallOptions.DEFAULT
        .withMaxInboundMessageSize(Wire.MAX_MESSAGE_BYTES)
        .withMaxOutboundMessageSize(Wire.MAX_MESSAGE_BYTES);
    openSession();
  }

  @Override
  public String name() {
    return displayName;
  }

  /** The backend's device, e.g. "cuda:0 NVIDIA H100" or "cpu". */
  public String backendDevice() {
    return opened.getDeviceName();
  }

  /** The backend's id of the current session (a new one after a reconnect). */
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

  /** Messages sent to the backend and answered, session opens and journal replays included. */
  public long roundTrips() {
    return roundTrips;
  }

  /** Sessions re-established after the previous one was lost. */
  public long reconnects() {
    return reconnects;
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
   * Device time the backend reports for this device's batches: what the work costs on the
   * server's device, without transport (for profile-guided fGPU sizing).
   */
  public long deviceBusyNanos() {
    return busyNanos;
  }

  /** Device memory this device holds now. */
  public long bytesInUse() {
    return bytesInUse;
  }

  /** Most device memory this device has held at once (for profile-guided vMemory sizing). */
  public long peakBytesInUse() {
    return peakBytesInUse;
  }

  /** Bytes of constant buffer contents kept for replay after a backend restart. */
  public long journalBytes() {
    return journalBytes;
  }

  // ------------------------------------------------------------------ Gpu

  @Override
  public GpuModule loadModule(String moduleName) {
    open();
    long h = HANDLES.getAndIncrement();
    pending.add(new LoadModuleCall(h, moduleName));
    flush();
    return new GpuModule(moduleName, h);
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    open();
    if (module == null || !modules.containsKey(module.handle())) {
      throw new GpuException("NOT_FOUND", "module " + module + " was not loaded by " + displayName);
    }
    long h = HANDLES.getAndIncrement();
    pending.add(new FunctionCall(h, module.handle(), kernelName));
    flush();
    return new GpuFunction(module, kernelName, h);
  }

  @Override
  public DevicePtr malloc(long bytes) {
    open();
    if (bytes < 1) {
      throw new GpuException("INVALID_ARGUMENT", "malloc of " + bytes + " bytes: size must be >= 1");
    }
    long h = HANDLES.getAndIncrement();
    pending.add(new MallocCall(h, bytes));
    flush();
    return new DevicePtr(h, bytes);
  }

  @Override
  public void free(DevicePtr ptr) {
    open();
    buf(ptr, "free of");
    pending.add(new FreeCall(ptr.handle()));
    flush();
  }

  @Override
  public void copyHtoD(DevicePtr dst, ByteBuffer src) {
    open();
    Buf b = buf(dst, "copyHtoD to");
    int n = src.remaining();
    checkCopy("copyHtoD of " + n + " bytes into", n, b);
    byte[] keep = null;
    if (journalBytes - b.keptBytes() + n <= JOURNAL_LIMIT) {
      // a blocking copy is how constants (weights) are uploaded: keep them to replay on a new session
      keep = new byte[n];
      src.duplicate().get(keep);
    }
    makeRoom(n, 0);
    ByteString data = keep != null ? UnsafeByteOperations.unsafeWrap(keep) : view(src);
    pending.add(new HtoDCall(dst.handle(), data, keep));
    pendingUp += n;
    synchronize();
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    open();
    Buf b = buf(dst, "copyHtoD to");
    int n = src.remaining();
    checkCopy("copyHtoD of " + n + " bytes into", n, b);
    makeRoom(n, 0);
    pending.add(new HtoDCall(dst.handle(), view(src), null));
    pendingUp += n;
  }

  @Override
  public void copyDtoH(ByteBuffer dst, DevicePtr src) {
    copyDtoHAsync(dst, src);
    synchronize();
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    open();
    Buf b = buf(src, "copyDtoH from");
    int n = dst.remaining();
    if (dst.isReadOnly()) {
      throw new GpuException("INVALID_ARGUMENT", "copyDtoH into a read-only buffer");
    }
    checkCopy("copyDtoH of " + n + " bytes from", n, b);
    makeRoom(0, n);
    pending.add(new DtoHCall(src.handle(), n, dst.duplicate()));
    pendingDown += n;
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    open();
    if (function == null || !functions.containsKey(function.handle())) {
      throw new GpuException("NOT_FOUND", "function " + function + " was not looked up on " + displayName);
    }
    List<KernelArgs.Arg> list = List.copyOf(args.list());
    for (int i = 0; i < list.size(); i++) {
      KernelArgs.Arg a = list.get(i);
      if (a.isPointer()) {
        Buf b = buffers.get(a.ptr().handle());
        if (b == null) {
          throw new GpuException("NOT_FOUND", function.name() + " argument " + i + ": " + a.ptr()
              + " is not a live allocation of " + displayName + " (freed, or from another device)");
        }
      }
    }
    if (LaunchCheck.isKnown(function.name())) {
      // the catalog's kernels are checked here against the sizes this device allocated, so a bad
      // launch fails at the call; other kernels are checked by the backend's device
      LaunchCheck.check(function.name(), grid, block, args, p -> buffers.get(p.handle()).bytes);
    }
    pending.add(new LaunchCall(function.handle(), function.name(), grid, block, list));
  }

  @Override
  public void synchronize() {
    open();
    if (!pending.isEmpty()) {
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
    pending.clear();
    if (stream != null) {
      stream.close(5_000);
    }
    if (ownsChannel) {
      managed.shutdown();
      try {
        if (!managed.awaitTermination(5, TimeUnit.SECONDS)) {
          managed.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        managed.shutdownNow();
      }
    }
  }

  // ------------------------------------------------------------------ sending

  /** Sends what is queued first if adding up/down payload bytes would pass the message limit. */
  private void makeRoom(long up, long down) {
    if (up > Wire.MAX_BATCH_PAYLOAD || down > Wire.MAX_BATCH_PAYLOAD) {
      throw new GpuException("INVALID_ARGUMENT", "a single copy of " + Math.max(up, down)
          + " bytes exceeds the vGPU message limit of " + Wire.MAX_BATCH_PAYLOAD + " bytes");
    }
    if (pendingUp + up > Wire.MAX_BATCH_PAYLOAD || pendingDown + down > Wire.MAX_BATCH_PAYLOAD) {
      flush();
    }
  }

  /**
   * Sends the queued calls as one batch (re-establishing a lost session first, and resending
   * once if the session is lost while the batch is out), applies the results to the journal,
   * delivers the DtoH data, throws the first failure.
   */
  private void flush() {
    List<Call> calls = new ArrayList<>(pending);
    pending.clear();
    long up = pendingUp;
    pendingUp = 0;
    pendingDown = 0;
    boolean resent = false;
    while (true) {
      ensureSession();
      checkLostReads(calls);
      Batch batch = translate(calls, ++seq);
      ServerMessage reply;
      try {
        reply = stream.call(ClientMessage.newBuilder().setBatch(batch).build(), spec.callTimeoutMillis());
      } catch (GpuException e) {
        if (stream.broken() && !resent && spec.reconnectMillis() > 0 && !"DEADLINE_EXCEEDED".equals(e.code())) {
          LOG.info(() -> displayName + ": session " + opened.getSessionId() + " lost (" + e.getMessage()
              + "); re-establishing it and resending the batch");
          resent = true;
          continue;
        }
        throw e;
      }
      roundTrips++;
      bytesUp += up;
      try {
        apply(calls, batch, reply);
      } finally {
        stream.release(reply);
      }
      return;
    }
  }

  /** Builds the batch with the current session's handles. */
  private Batch translate(List<Call> calls, long seqNo) {
    Batch.Builder b = Batch.newBuilder().setSeq(seqNo);
    for (Call c : calls) {
      b.addOps(c.toOp(this));
    }
    return b.build();
  }

  private long backend(long handle) {
    Long h = backendHandles.get(handle);
    if (h == null) {
      throw new GpuException("NOT_FOUND", "handle " + handle + " has no object in the current session of "
          + displayName);
    }
    return h;
  }

  /** Applies the ops that ran to the journal, delivers DtoH data, throws the batch's error. */
  private void apply(List<Call> calls, Batch batch, ServerMessage reply) {
    if (!reply.hasResult() || reply.getResult().getSeq() != batch.getSeq()) {
      throw new GpuException("INTERNAL", "backend answered batch " + batch.getSeq() + " with " + reply.getKindCase());
    }
    BatchResult r = reply.getResult();
    busyNanos += r.getBusyNanos();
    int ran = !r.hasError() || r.getError().getOpIndex() < 0 ? calls.size()
        : Math.min(calls.size(), r.getError().getOpIndex());
    int handle = 0;
    int dtoh = 0;
    for (int i = 0; i < ran; i++) {
      Call c = calls.get(i);
      if (c instanceof LoadModuleCall m) {
        modules.put(m.handle(), m.name());
        backendHandles.put(m.handle(), r.getHandles(handle++));
      } else if (c instanceof FunctionCall f) {
        functions.put(f.handle(), new FunctionRec(f.module(), f.name()));
        backendHandles.put(f.handle(), r.getHandles(handle++));
      } else if (c instanceof MallocCall m) {
        buffers.put(m.handle(), new Buf(m.bytes()));
        backendHandles.put(m.handle(), r.getHandles(handle++));
        bytesInUse += m.bytes();
        peakBytesInUse = Math.max(peakBytesInUse, bytesInUse);
      } else if (c instanceof FreeCall f) {
        Buf b = buffers.remove(f.handle());
        backendHandles.remove(f.handle());
        if (b != null) {
          bytesInUse -= b.bytes;
          journalBytes -= b.keptBytes();
        }
      } else if (c instanceof HtoDCall h) {
        written(h.dst(), h.data().size(), h.keep());
      } else if (c instanceof LaunchCall l) {
        for (long p : l.written()) {
          written(p, -1, null);
        }
      } else if (c instanceof DtoHCall d) {
        ByteString data = r.getDtoh(dtoh++);
        if (data.size() != d.dst().remaining()) {
          throw new GpuException("INTERNAL", "backend returned " + data.size() + " bytes for a copy of "
              + d.dst().remaining());
        }
        data.copyTo(d.dst()); // a duplicate: the caller's position stays put
        bytesDown += data.size();
      }
    }
    if (r.hasError()) {
      int at = r.getError().getOpIndex();
      String where = at < 0 || at >= calls.size() ? "at synchronize" : "in op " + at + " (" + calls.get(at).describe() + ")";
      throw new GpuException(r.getError().getCode(), where + ": " + r.getError().getMessage());
    }
  }

  /** Journal effect of a write of {@code n} bytes (-1: by a kernel) to buffer {@code handle}. */
  private void written(long handle, int n, byte[] keep) {
    Buf b = buffers.get(handle);
    if (b == null) {
      return;
    }
    if (keep != null && (n >= b.bytes || b.state == State.UNDEFINED || b.state == State.KEPT)
        && journalBytes - b.keptBytes() + Math.max(n, b.keptBytes()) <= JOURNAL_LIMIT) {
      byte[] merged = keep;
      if (b.state == State.KEPT && b.kept.length > n) {
        merged = b.kept; // a shorter write over kept contents: the tail stays as it was
        System.arraycopy(keep, 0, merged, 0, n);
      }
      journalBytes += merged.length - b.keptBytes();
      b.kept = merged;
      b.state = State.KEPT;
      return;
    }
    journalBytes -= b.keptBytes();
    b.kept = null;
    // a kernel's output or a full overwrite makes lost contents whole again; a partial copy
    // leaves the rest of a lost buffer lost
    boolean whole = n < 0 || n >= b.bytes;
    b.state = whole || b.state != State.LOST ? State.VOLATILE : State.LOST;
  }

  /** Refuses a batch that reads a buffer whose contents were lost with an old session. */
  private void checkLostReads(List<Call> calls) {
    boolean anyLost = false;
    for (Buf b : buffers.values()) {
      if (b.state == State.LOST) {
        anyLost = true;
        break;
      }
    }
    if (!anyLost) {
      return;
    }
    Set<Long> rewritten = new HashSet<>();
    for (Call c : calls) {
      for (long h : c.read()) {
        Buf b = buffers.get(h);
        if (b != null && b.state == State.LOST && !rewritten.contains(h)) {
          throw new GpuException("UNAVAILABLE", displayName + ": the vgpu backend restarted and device buffer "
              + h + " (" + b.bytes + " bytes) lost its contents with the old session; " + c.describe()
              + " reads it: write it again (copyHtoD) first. The session itself was re-established.");
        }
      }
      if (c instanceof HtoDCall h) {
        Buf b = buffers.get(h.dst());
        if (b != null && h.data().size() >= b.bytes) {
          rewritten.add(h.dst());
        }
      } else if (c instanceof LaunchCall l) {
        for (long h : l.written()) {
          rewritten.add(h);
        }
      }
    }
  }

  // ------------------------------------------------------------------ sessions

  /** A live session, re-established (journal replayed) if the last one was lost. */
  private void ensureSession() {
    if (stream != null && !stream.broken()) {
      return;
    }
    if (spec.reconnectMillis() <= 0) {
      throw new GpuException("UNAVAILABLE", displayName + ": the session with the vgpu backend was lost (reconnect=0)");
    }
    sessionLost();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.reconnectMillis());
    long backoff = FIRST_BACKOFF_MILLIS;
    int attempts = 0;
    while (true) {
      attempts++;
      if (managed != null) {
        managed.resetConnectBackoff(); // the channel's own backoff would make us wait seconds
      }
      try {
        openSession();
        replay();
        reconnects++;
        int n = attempts;
        LOG.info(() -> displayName + ": session re-established as " + opened.getSessionId() + " after " + n
            + " attempt(s); " + modules.size() + " module(s), " + functions.size() + " function(s), " + buffers.size()
            + " buffer(s) restored, " + journalBytes + " bytes of constants re-uploaded");
        return;
      } catch (GpuException e) {
        if (stream != null && !stream.broken()) {
          stream.abort(); // opened but could not be restored: do not leave half a session behind
        }
        if (!retryable(e.code())) {
          throw new GpuException(e.code(), displayName + ": re-establishing the lost session failed: " + e.getMessage(), e);
        }
        long left = deadline - System.nanoTime();
        if (TimeUnit.MILLISECONDS.toNanos(backoff) > left) {
          long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deadline) + spec.reconnectMillis();
          throw new GpuException("UNAVAILABLE", displayName + ": the session with the vgpu backend was lost and "
              + "re-establishing it failed (" + attempts + " attempts in " + spent + " ms, reconnect window "
              + spec.reconnectMillis() + " ms; last: " + e.getMessage() + "); the next call tries again", e);
        }
        sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private static boolean retryable(String code) {
    return switch (code) {
      case "UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED", "UNKNOWN", "ABORTED", "INTERNAL" -> true;
      default -> false;
    };
  }

  /** What survives a lost session: the journal. Contents not kept are lost. */
  private void sessionLost() {
    if (stream != null) {
      stream.abort();
      stream = null;
    }
    backendHandles.clear();
    for (Buf b : buffers.values()) {
      if (b.state == State.VOLATILE) {
        b.state = State.LOST;
      }
    }
  }

  /** Opens a new session on the channel (one round trip). */
  private void openSession() {
    SessionStream s = new SessionStream(channel, callOptions);
    ServerMessage reply;
    try {
      reply = s.call(ClientMessage.newBuilder().setOpen(Open.newBuilder()
          .setFgpu(spec.fgpu()).setVmemUnits(spec.vmemUnits()).setClient(spec.client())).build(), spec.callTimeoutMillis());
    } catch (GpuException e) {
      if (e.code().equals("UNAUTHENTICATED") && spec.token().isEmpty()) {
        throw new GpuException(e.code(), "no vGPU token given for " + displayName + " (use ?token=, "
            + "EDGEPIPE_VGPU_TOKEN or EDGEPIPE_VGPU_TOKEN_FILE): " + e.getMessage(), e);
      }
      throw e;
    }
    if (!reply.hasOpened()) {
      s.abort();
      throw new GpuException("INTERNAL", "backend answered open with " + reply.getKindCase());
    }
    stream = s;
    opened = reply.getOpened();
    roundTrips++;
  }

  /**
   * Rebuilds the journal's objects on the new session: modules and buffers in one message, then
   * (they need the modules' new handles) functions and kept contents in a second.
   */
  private void replay() {
    if (modules.isEmpty() && buffers.isEmpty()) {
      return;
    }
    Batch.Builder b = Batch.newBuilder().setSeq(++seq);
    List<Long> order = new ArrayList<>();
    for (Map.Entry<Long, String> m : modules.entrySet()) {
      b.addOps(Op.newBuilder().setLoadModule(LoadModule.newBuilder().setName(m.getValue())));
      order.add(m.getKey());
    }
    for (Map.Entry<Long, Buf> e : buffers.entrySet()) {
      b.addOps(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(e.getValue().bytes)));
      order.add(e.getKey());
    }
    Batch first = b.build();
    ServerMessage reply = stream.call(ClientMessage.newBuilder().setBatch(first).build(), spec.callTimeoutMillis());
    roundTrips++;
    try {
      BatchResult r = checkReplay(first, reply);
      for (int i = 0; i < order.size(); i++) {
        backendHandles.put(order.get(i), r.getHandles(i));
      }
      busyNanos += r.getBusyNanos();
    } finally {
      stream.release(reply);
    }
    Batch.Builder second = Batch.newBuilder().setSeq(++seq);
    List<Long> fnOrder = new ArrayList<>();
    for (Map.Entry<Long, FunctionRec> f : functions.entrySet()) {
      second.addOps(Op.newBuilder().setGetFunction(GetFunction.newBuilder()
          .setModule(backend(f.getValue().module())).setName(f.getValue().name())));
      fnOrder.add(f.getKey());
    }
    for (Map.Entry<Long, Buf> e : buffers.entrySet()) {
      Buf buf = e.getValue();
      if (buf.state == State.KEPT) {
        second.addOps(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(backend(e.getKey()))
            .setData(UnsafeByteOperations.unsafeWrap(buf.kept))));
      }
    }
    if (second.getOpsCount() == 0) {
      return;
    }
    Batch sb = second.build();
    reply = stream.call(ClientMessage.newBuilder().setBatch(sb).build(), spec.callTimeoutMillis());
    roundTrips++;
    try {
      BatchResult r = checkReplay(sb, reply);
      for (int i = 0; i < fnOrder.size(); i++) {
        backendHandles.put(fnOrder.get(i), r.getHandles(i));
      }
      busyNanos += r.getBusyNanos();
    } finally {
      stream.release(reply);
    }
  }

  private BatchResult checkReplay(Batch batch, ServerMessage reply) {
    if (!reply.hasResult() || reply.getResult().getSeq() != batch.getSeq()) {
      throw new GpuException("INTERNAL", "backend answered the journal replay with " + reply.getKindCase());
    }
    BatchResult r = reply.getResult();
    if (r.hasError()) {
      throw new GpuException(r.getError().getCode(), "replaying the journal on the new session: "
          + r.getError().getMessage());
    }
    return r;
  }

  // ------------------------------------------------------------------ helpers

  private Buf buf(DevicePtr p, String what) {
    Buf b = p == null ? null : buffers.get(p.handle());
    if (b == null) {
      throw new GpuException("NOT_FOUND", what + " " + p + ": not a live allocation of " + displayName
          + " (freed, or from another device)");
    }
    return b;
  }

  private static void checkCopy(String what, int n, Buf b) {
    if (n > b.bytes) {
      throw new GpuException("INVALID_ARGUMENT", what + " a buffer of " + b.bytes + " bytes");
    }
  }

  /** A view of the caller's bytes (no copy): valid until synchronize, as the Gpu contract says. */
  private static ByteString view(ByteBuffer src) {
    if (src.hasArray()) {
      return UnsafeByteOperations.unsafeWrap(src.array(), src.arrayOffset() + src.position(), src.remaining());
    }
    return UnsafeByteOperations.unsafeWrap(src.slice());
  }

  private void open() {
    if (closed) {
      throw new GpuException("UNAVAILABLE", displayName + " is closed");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GpuException("CANCELLED", "interrupted while reconnecting to the vgpu backend");
    }
  }

  private static io.edgepipe.vgpu.proto.Dim3 dim(Dim3 d) {
    return io.edgepipe.vgpu.proto.Dim3.newBuilder().setX(d.x()).setY(d.y()).setZ(d.z()).build();
  }

  // ------------------------------------------------------------------ journal records

  private enum State {
    /** Never written: contents undefined, nothing to restore. */
    UNDEFINED,
    /** Last written by blocking copies whose bytes are kept: restored on a new session. */
    KEPT,
    /** Written by async copies or kernels: lost if the session is. */
    VOLATILE,
    /** Was VOLATILE when the session was lost: reading it before writing it is an error. */
    LOST
  }

  private static final class Buf {
    final long bytes;
    State state = State.UNDEFINED;
    byte[] kept;

    Buf(long bytes) {
      this.bytes = bytes;
    }

    long keptBytes() {
      return kept == null ? 0 : kept.length;
    }
  }

  private record FunctionRec(long module, String name) {}

  /** A queued call, in this device's handles. */
  private sealed interface Call {
    Op toOp(RemoteGpu g);

    String describe();

    /** Buffers the call reads. */
    default long[] read() {
      return new long[0];
    }
  }

  private record LoadModuleCall(long handle, String name) implements Call {
    public Op toOp(RemoteGpu g) {
      return Op.newBuilder().setLoadModule(LoadModule.newBuilder().setName(name)).build();
    }

    public String describe() {
      return "loadModule " + name;
    }
  }

  private record FunctionCall(long handle, long module, String name) implements Call {
    public Op toOp(RemoteGpu g) {
      return Op.newBuilder().setGetFunction(GetFunction.newBuilder().setModule(g.backend(module)).setName(name)).build();
    }

    public String describe() {
      return "function " + name;
    }
  }

  private record MallocCall(long handle, long bytes) implements Call {
    public Op toOp(RemoteGpu g) {
      return Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(bytes)).build();
    }

    public String describe() {
      return "malloc of " + bytes + " bytes";
    }
  }

  private record FreeCall(long handle) implements Call {
    public Op toOp(RemoteGpu g) {
      return Op.newBuilder().setFree(Free.newBuilder().setPtr(g.backend(handle))).build();
    }

    public String describe() {
      return "free of buffer " + handle;
    }
  }

  private record HtoDCall(long dst, ByteString data, byte[] keep) implements Call {
    public Op toOp(RemoteGpu g) {
      return Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(g.backend(dst)).setData(data)).build();
    }

    public String describe() {
      return "copyHtoD to buffer " + dst;
    }
  }

  private record DtoHCall(long src, int bytes, ByteBuffer dst) implements Call {
    public Op toOp(RemoteGpu g) {
      return Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(g.backend(src)).setBytes(bytes)).build();
    }

    public String describe() {
      return "copyDtoH from buffer " + src;
    }

    @Override
    public long[] read() {
      return new long[] {src};
    }
  }

  private record LaunchCall(long function, String kernel, Dim3 grid, Dim3 block, List<KernelArgs.Arg> args)
      implements Call {
    public Op toOp(RemoteGpu g) {
      Launch.Builder l = Launch.newBuilder().setFunction(g.backend(function)).setGrid(dim(grid)).setBlock(dim(block));
      for (KernelArgs.Arg a : args) {
        l.addArgs(a.isPointer() ? Arg.newBuilder().setPtr(g.backend(a.ptr().handle())) : Arg.newBuilder().setI32(a.value()));
      }
      return Op.newBuilder().setLaunch(l).build();
    }

    public String describe() {
      return "launch of " + kernel;
    }

    /** The pointers the kernel writes: the catalog's output argument, else (unknown kernel) every pointer. */
    long[] written() {
      int out = LaunchCheck.outputIndex(kernel);
      if (out >= 0) {
        return new long[] {args.get(out).ptr().handle()};
      }
      return pointers(-1);
    }

    @Override
    public long[] read() {
      return pointers(LaunchCheck.outputIndex(kernel));
    }

    private long[] pointers(int except) {
      return java.util.stream.IntStream.range(0, args.size())
          .filter(i -> i != except && args.get(i).isPointer())
          .mapToLong(i -> args.get(i).ptr().handle()).toArray();
    }
  }
}
