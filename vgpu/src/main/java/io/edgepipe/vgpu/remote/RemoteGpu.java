package io.edgepipe.vgpu.remote;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.vgpu.CopyCheck;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.LaunchCheck;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.Opened;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The remote vGPU shim ({@code vgpu://host:port}): a {@link Gpu} whose calls run on a
 * vgpu-backend's device, as in gEdge's API redirection.
 *
 * <p><b>Batching.</b> {@link #copyHtoDAsync}, {@link #launch} and {@link #copyDtoHAsync} are
 * queued here and sent as one message at {@link #synchronize()}; the reply carries the DtoH data.
 * So a frame through a stage (upload, launches, download, sync) costs exactly one round trip
 * ({@link #roundTrips()} counts them). The blocking copies are the async ones plus a sync (a
 * blocking {@link #copyHtoD} also keeps its bytes, see below).
 * {@link #loadModule}, {@link #function}, {@link #malloc} and {@link #free} are sent at once,
 * together with whatever is queued (one round trip), so their errors, e.g. malloc's
 * RESOURCE_EXHAUSTED when the vMemory quota would be exceeded, are thrown by the call itself.
 * Launches are checked here too (argument kinds and buffer sizes, see {@link LaunchCheck}), and so
 * are handles: a pointer, module or function this device did not hand out (freed, forged, or
 * another device's) is NOT_FOUND at the call. Failures only the backend can see surface at the next
 * sync with the failing op named. A batch that would pass the backend's message or op limit (as
 * its session announced them) is sent early.
 *
 * <p><b>Copies.</b> With a backend on the same host, each session offers a shared-memory segment
 * at open ({@link LinkOptions#shmBytes}); once the backend has mapped it, an HtoD payload is copied
 * once into the segment and a DtoH result once out of it, and the messages carry only the ops and
 * their places ({@link PayloadLink}); a copy from or into a buffer of {@link #hostBuffer} (a region
 * of the segment) costs no client copy at all. Otherwise (another host, or what does not fit the segment)
 * HtoD payloads travel inline as views of the caller's buffers
 * ({@link UnsafeByteOperations#unsafeWrap}), valid because the caller may not touch them before
 * the sync, encoded with the spec's codec if one is chosen; replies are parsed in place
 * ({@link Marshalling.Retaining}), so DtoH data is copied once, from the transport's buffers into
 * the caller's. Host buffers' positions are left unchanged.
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
 * <p><b>Parts.</b> This class is the device facade (argument and handle checks, counters); the
 * queue is a {@link CallBatch}, the journal and the handle mapping a {@link HandleJournal}, the
 * session stream and reconnects a {@link SessionLink}.
 *
 * <p><b>Session.</b> The session is one gRPC stream: {@link #close()} ends it and waits for the
 * backend to free everything; if the process dies, the backend sees the stream break (or its
 * keepalive fails) and frees the session's memory just the same. Not thread-safe, like every Gpu.
 */
public final class RemoteGpu implements Gpu {
  /** Most bytes of constant buffer contents kept to replay after a backend restart. */
  public static final long JOURNAL_LIMIT = 64L << 20;

  /** Handles are unique in the process, so another device's handle is never valid here. */
  private static final AtomicLong HANDLES = new AtomicLong(1);

  private final String displayName;
  private final SessionLink link;
  private final HandleJournal journal;
  private final CallBatch queue = new CallBatch();
  private boolean closed;

  private long bytesUp;
  private long bytesDown;

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
    this.displayName = spec.displayName();
    this.journal = new HandleJournal(displayName);
    this.link = new SessionLink(channel, ownChannel, spec);
    link.open();
  }

  @Override
  public String name() {
    return displayName;
  }

  /** The vGPU protocol carries the backend's device name only, not its memory properties. */
  @Override
  public io.edgepipe.vgpu.MemoryBandwidth memoryBandwidth() {
    return io.edgepipe.vgpu.MemoryBandwidth.unknown(displayName + ": the vGPU protocol does not carry the backend"
        + " device's memory bandwidth (run the bench on the backend's host with --device cuda)");
  }

  /** The backend's device, e.g. "cuda:0 NVIDIA H100" or "cpu". */
  public String backendDevice() {
    return link.opened().getDeviceName();
  }

  /** The backend's id of the current session (a new one after a reconnect). */
  public String sessionId() {
    return link.opened().getSessionId();
  }

  /** The tenant the backend admitted this session as. */
  public String tenant() {
    return link.opened().getTenant();
  }

  /** Device memory this session may hold (its vMemory quota in bytes). */
  public long vmemBytesAllowed() {
    return link.opened().getVmemBytesAllowed();
  }

  /** Messages sent to the backend and answered, session opens and journal replays included. */
  public long roundTrips() {
    return link.roundTrips();
  }

  /** Sessions re-established after the previous one was lost. */
  public long reconnects() {
    return link.reconnects();
  }

  /** Round trips that went over the session's same-host doorbell instead of the gRPC stream. */
  public long doorbellRoundTrips() {
    return link.doorbellTrips();
  }

  /** True when the current session's payloads go through shared memory (backend on this host). */
  public boolean sharedMemory() {
    return link.payloads().shared();
  }

  /** Bytes of the segment the backend mapped for the current session (0 when payloads go inline). */
  public long sharedMemoryBytes() {
    return link.opened().getShm() ? link.opened().getShmBytes() : 0;
  }

  /** Payload bytes (both ways) that went through shared memory so far. */
  public long bytesShared() {
    return link.payloads().sharedBytes();
  }

  /** Of {@link #bytesShared}, those the backend read or wrote in place in buffers of {@link #hostBuffer}. */
  public long bytesInPlace() {
    return link.payloads().inPlaceBytes();
  }

  /** Why the backend did not map the segment offered at open ("" when it did, or none was offered). */
  public String sharedMemoryDeclined() {
    return link.opened().getShmDeclined();
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
    return link.busyNanos();
  }

  /** Device memory this device holds now. */
  public long bytesInUse() {
    return journal.bytesInUse();
  }

  /** Most device memory this device has held at once (for profile-guided vMemory sizing). */
  public long peakBytesInUse() {
    return journal.peakBytesInUse();
  }

  /** Bytes of constant buffer contents kept for replay after a backend restart. */
  public long journalBytes() {
    return journal.journalBytes();
  }

  // ------------------------------------------------------------------ Gpu

  @Override
  public GpuModule loadModule(String moduleName) {
    open();
    long h = HANDLES.getAndIncrement();
    queue.add(new Call.LoadModuleCall(h, moduleName));
    flush();
    return new GpuModule(moduleName, h);
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    open();
    if (module == null || !journal.hasModule(module.handle())) {
      throw new GpuException("NOT_FOUND", "module " + module + " was not loaded by " + displayName);
    }
    long h = HANDLES.getAndIncrement();
    queue.add(new Call.FunctionCall(h, module.handle(), kernelName));
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
    queue.add(new Call.MallocCall(h, bytes));
    flush();
    return new DevicePtr(h, bytes);
  }

  @Override
  public void free(DevicePtr ptr) {
    open();
    bufferBytes(ptr, "free of");
    queue.add(new Call.FreeCall(ptr.handle()));
    flush();
  }

  @Override
  public void copyHtoD(DevicePtr dst, ByteBuffer src) {
    open();
    long size = bufferBytes(dst, "copyHtoD to");
    int n = src.remaining();
    CopyCheck.htoD(n, size);
    byte[] keep = null;
    if (journal.journalBytes() - journal.keptBytes(dst.handle()) + n <= JOURNAL_LIMIT) {
      // a blocking copy is how constants (weights) are uploaded: keep them to replay on a new session
      keep = new byte[n];
      src.duplicate().get(keep);
    }
    makeRoom(n, 0);
    ByteString data = keep != null ? UnsafeByteOperations.unsafeWrap(keep) : view(src);
    queue.add(new Call.HtoDCall(dst.handle(), data, keep, keep == null ? direct(src) : null), n, 0);
    synchronize();
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    open();
    long size = bufferBytes(dst, "copyHtoD to");
    int n = src.remaining();
    CopyCheck.htoD(n, size);
    makeRoom(n, 0);
    queue.add(new Call.HtoDCall(dst.handle(), view(src), null, direct(src)), n, 0);
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    open();
    long size = bufferBytes(src, "copyDtoH from");
    int n = dst.remaining();
    CopyCheck.dtoH(dst, size);
    makeRoom(0, n);
    queue.add(new Call.DtoHCall(src.handle(), n, dst.duplicate()), 0, n);
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    open();
    if (function == null || !journal.hasFunction(function.handle())) {
      throw new GpuException("NOT_FOUND", "function " + function + " was not looked up on " + displayName);
    }
    List<KernelArgs.Arg> list = List.copyOf(args.list());
    for (int i = 0; i < list.size(); i++) {
      KernelArgs.Arg a = list.get(i);
      if (a.isPointer() && journal.bufferBytes(a.ptr().handle()) < 0) {
        throw new GpuException("NOT_FOUND", function.name() + " argument " + i + ": " + a.ptr()
            + " is not a live allocation of " + displayName + " (freed, or from another device)");
      }
    }
    if (LaunchCheck.isKnown(function.name())) {
      // the catalog's kernels are checked here against the sizes this device allocated, so a bad
      // launch fails at the call; other kernels are checked by the backend's device
      LaunchCheck.check(function.name(), grid, block, args, p -> journal.bufferBytes(p.handle()));
    }
    makeRoom(0, 0);
    queue.add(new Call.LaunchCall(function.handle(), function.name(), grid, block, list));
  }

  /**
   * With a backend on this host (shared memory on), a region of the session's segment: a copy
   * from it or into it costs no client copy, the backend reads or writes it in place. Else, or
   * when the segment has no room (host buffers take at most half of it), a direct buffer. A
   * backend restart gives the session a new segment: buffers of the old one stay valid (and
   * mapped until freed) but are then copied like any other.
   */
  @Override
  public ByteBuffer hostBuffer(int bytes) {
    open();
    ByteBuffer b = bytes > 0 ? link.payloads().hostBuffer(bytes) : null;
    return b != null ? b : Gpu.super.hostBuffer(bytes);
  }

  @Override
  public void freeHost(ByteBuffer buffer) {
    if (buffer != null && !closed) {
      link.payloads().freeHost(buffer);
    }
  }

  /** True while the session's backend maps its segment (same host, shared memory on) and a buffer of {@code bytes} fits its room. */
  @Override
  public boolean hostBufferInPlace(int bytes) {
    return !closed && link.payloads().hostBufferInPlace(bytes);
  }

  @Override
  public void synchronize() {
    open();
    if (!queue.isEmpty()) {
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
    queue.clear();
    link.close();
  }

  // ------------------------------------------------------------------ sending

  /**
   * Sends what is queued first if one more call carrying up/down payload bytes would pass the
   * backend's message or op limit (as its session announced them).
   */
  private void makeRoom(long up, long down) {
    Opened o = link.opened();
    long payload = o.getMaxMessageBytes() > 0 ? Wire.payloadLimit(o.getMaxMessageBytes()) : Wire.MAX_BATCH_PAYLOAD;
    if (queue.full(up, down, payload, o.getMaxBatchOps())) {
      flush();
    }
  }

  /**
   * Sends the queued calls as one batch (re-establishing a lost session first, and resending
   * once if the session is lost while the batch is out), applies the results to the journal,
   * delivers the DtoH data, throws the first failure.
   */
  private void flush() {
    CallBatch.Queued q = queue.take();
    boolean resent = false;
    while (true) {
      link.ensure(journal);
      journal.checkLostReads(q.calls());
      Batch batch = CallBatch.translate(q.calls(), link.nextSeq(), journal, link.payloads());
      SessionLink.Reply reply;
      try {
        reply = link.send(batch);
      } catch (GpuException e) {
        if (!resent && link.lostUnder(e)) {
          resent = true;
          continue;
        }
        throw e;
      }
      bytesUp += q.bytesUp();
      try (reply) {
        apply(q.calls(), reply.result(batch));
      }
      return;
    }
  }

  /** Applies the ops that ran to the journal, delivers DtoH data, throws the batch's error. */
  private void apply(List<Call> calls, BatchResult r) {
    int ran = !r.hasError() || r.getError().getOpIndex() < 0 ? calls.size()
        : Math.min(calls.size(), r.getError().getOpIndex());
    journal.record(calls, ran, r);
    int dtoh = 0;
    for (int i = 0; i < ran; i++) {
      if (calls.get(i) instanceof Call.DtoHCall d) {
        int n = d.dst().remaining();
        link.payloads().deliver(dtoh, r.getDtoh(dtoh), d.dst()); // a duplicate: the caller's position stays put
        dtoh++;
        bytesDown += n;
      }
    }
    if (r.hasError()) {
      int at = r.getError().getOpIndex();
      String where = at < 0 || at >= calls.size() ? "at synchronize" : "in op " + at + " (" + calls.get(at).describe() + ")";
      throw new GpuException(r.getError().getCode(), where + ": " + r.getError().getMessage());
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The size of live buffer {@code p}, or NOT_FOUND naming {@code what} was attempted. */
  private long bufferBytes(DevicePtr p, String what) {
    long size = p == null ? -1 : journal.bufferBytes(p.handle());
    if (size < 0) {
      throw new GpuException("NOT_FOUND", what + " " + p + ": not a live allocation of " + displayName
          + " (freed, or from another device)");
    }
    return size;
  }

  /** The caller's buffer, kept to recognise one of the session's host buffers; null for a heap buffer. */
  private static ByteBuffer direct(ByteBuffer src) {
    return src.isDirect() ? src.duplicate() : null;
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
}
