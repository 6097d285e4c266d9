package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.Opened;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of one Session stream: admits the {@code open}, queues each {@code batch} on
 * the session's fair-scheduler lane in slices (a slice that leaves ops undone queues the rest
 * again, so other tenants' batches run between them), answers from the device thread, and asks
 * gRPC for the next client message only once the reply has left for the network (so a session
 * holds at most one inbound message and one reply: what its host reservation covers). A stream
 * that does not open in time, or whose client does not read a reply in time, is ended. The
 * stream's end, for whatever reason, frees the session's memory on the device thread.
 */
final class SessionHandler implements StreamObserver<ClientMessage> {
  private static final Logger LOG = Logger.getLogger(SessionHandler.class.getName());

  /** Upper bound of a vMemory request (4 TiB): refuses absurd numbers, not real devices. */
  static final int MAX_VMEM_UNITS = BackendLimits.MAX_VMEM_UNITS;
  /** Longest client description kept for status. */
  static final int MAX_CLIENT_CHARS = 256;
  /** Replies up to this size are sent from the device thread; larger ones by the reply pool. */
  static final int INLINE_REPLY_BYTES = 256 * 1024;

  /**
   * Batches are parsed in place: their payloads are views of the transport's buffers (no copy
   * across hosts), held until the batch has run ({@link #done}).
   */
  static final io.edgepipe.vgpu.remote.Marshalling.Retaining<ClientMessage> REQUESTS =
      io.edgepipe.vgpu.remote.Marshalling.retaining(ClientMessage.getDefaultInstance());

  private final ServerCallStreamObserver<ServerMessage> call;
  private final String tenant;
  private final BackendCore core;
  private final AtomicBoolean ended = new AtomicBoolean();
  /** True from sending a reply until the transport has taken it (then the next message is read). */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong replies = new AtomicLong();
  private final ScheduledFuture<?> openDeadline;
  /** The deadline of the reply being drained, if it was not taken at once. */
  private volatile ScheduledFuture<?> replyDeadline;
  private volatile Session session;
  /** The batch message queued or running (its buffers are held until it has run), or null. */
  private volatile ClientMessage inFlight;
  /** The session's same-host doorbell, or null: batches come and are answered on the stream only. */
  private volatile DoorbellLine line;
  /** A batch is queued or running, from the stream or the doorbell: one at a time whichever way it came. */
  private final AtomicBoolean busy = new AtomicBoolean();

  SessionHandler(ServerCallStreamObserver<ServerMessage> call, String tenant, BackendCore core) {
    this.call = call;
    this.tenant = tenant;
    this.core = core;
    long t = core.limits.openTimeoutMillis();
    this.openDeadline = core.timers.schedule(() -> {
      if (session == null) {
        fail(Status.DEADLINE_EXCEEDED.withDescription("no open within " + t + " ms of the stream's start"));
      }
    }, t, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onNext(ClientMessage m) {
    boolean handedOver = false;
    try {
      handedOver = handle(m, null);
    } finally {
      if (!handedOver) {
        done(m);
      }
    }
  }

  /** A batch that came on the doorbell {@code from}: answered there. */
  private void onDoorbell(DoorbellLine from, ClientMessage m) {
    if (!m.hasBatch()) {
      from.close(); // only batches travel on the doorbell; the session goes on on its stream
      return;
    }
    handle(m, from);
  }

  /**
   * Acts on one client message ({@code via}: the doorbell it came on, null for the stream); true
   * when a queued batch job took it (and releases it when run).
   */
  private boolean handle(ClientMessage m, DoorbellLine via) {
    if (ended.get()) {
      return false;
    }
    String bad = io.edgepipe.vgpu.remote.Marshalling.malformed(m);
    if (bad != null) {
      fail(Status.INVALID_ARGUMENT.withDescription(bad.length() > 300 ? bad.substring(0, 300) : bad));
      return false;
    }
    Session s = session;
    if (s == null) {
      if (!m.hasOpen()) {
        fail(Status.FAILED_PRECONDITION.withDescription("the first message of a session must be open"));
        return false;
      }
      open(m.getOpen());
      return false;
    }
    if (!m.hasBatch()) {
      fail(Status.FAILED_PRECONDITION.withDescription("a session is opened once; later messages must be batches"));
      return false;
    }
    Batch batch = m.getBatch();
    if (!busy.compareAndSet(false, true)) {
      fail(Status.FAILED_PRECONDITION.withDescription("a batch came while another was in flight: one at a time"));
      return false;
    }
    s.noteMessage(m.getSerializedSize());
    int max = core.limits.maxOpsPerBatch();
    if (batch.getOpsCount() > max) {
      // refused before it runs; the session stays usable, like any failed batch
      reply(BatchResult.newBuilder().setSeq(batch.getSeq()).setError(io.edgepipe.vgpu.proto.Error.newBuilder()
          .setCode("INVALID_ARGUMENT").setOpIndex(-1).setMessage("a batch may carry at most " + max + " ops, this one has "
              + batch.getOpsCount() + ": synchronize more often")).build(), via);
      return false;
    }
    inFlight = m;
    if (!core.scheduler.submit(s.lane, new BatchJob(s, s.start(batch), m, via))) {
      inFlight = null;
      fail(Status.UNAVAILABLE.withDescription("the backend is stopping"));
      return false;
    }
    return true;
  }

  /** Gives back the transport buffers a message's payloads are views of (no-op if it borrowed none). */
  private static void done(ClientMessage m) {
    REQUESTS.release(m);
  }

  /** One slice of a batch on the device thread; queues the next slice, or replies when done. */
  private final class BatchJob implements Runnable {
    private final Session s;
    private final Session.Run run;
    private final ClientMessage message;
    private final DoorbellLine via;

    BatchJob(Session s, Session.Run run, ClientMessage message, DoorbellLine via) {
      this.s = s;
      this.run = run;
      this.message = message;
      this.via = via;
    }

    @Override
    public void run() {
      BatchResult result;
      try {
        if (!s.runSlice(run, core.limits.sliceNanos())) {
          if (!core.scheduler.submit(s.lane, this)) {
            done(message); // the session ended meanwhile: the rest is dropped
          }
          return;
        }
        result = s.finish(run);
      } catch (RuntimeException | Error e) {
        // never leave the client waiting for an answer that will not come
        LOG.log(Level.WARNING, "batch of session " + s.id + " failed", e);
        // InternalError is the JVM's answer to a fault in a mapped file: a client that shortened
        // its segment after the backend mapped it (the pages are gone); its fault, and the backend
        // serves on
        boolean segmentFault = e instanceof InternalError && s.segment != null;
        result = BatchResult.newBuilder().setSeq(run.batch.getSeq()).setError(io.edgepipe.vgpu.proto.Error.newBuilder()
            .setCode(segmentFault ? "INVALID_ARGUMENT" : "INTERNAL").setOpIndex(-1)
            .setMessage(segmentFault ? "a fault reading or writing the session's shared-memory segment: did the "
                + "client shorten it after the backend mapped it?" : "backend failure: " + e)).build();
      }
      done(message); // every slice has run and synchronized: nothing reads its payloads any more
      reply(result, via);
    }
  }

  /** Answers the batch in flight, on the doorbell it came on ({@code via}) or else on the stream. */
  private void reply(BatchResult result, DoorbellLine via) {
    ServerMessage reply = ServerMessage.newBuilder().setResult(result).build();
    busy.set(false); // before the answer leaves: the client may send its next batch at once
    if (via != null) {
      Session s = session;
      int size = reply.getSerializedSize();
      if (s != null) {
        s.noteMessage(size);
      }
      if (size <= INLINE_REPLY_BYTES) {
        via.reply(reply, core.replies, core.limits.replyTimeoutMillis()); // never blocks the device thread
      } else {
        core.replies.execute(() -> via.reply(reply, core.replies, core.limits.replyTimeoutMillis()));
      }
      return;
    }
    if (reply.getSerializedSize() <= INLINE_REPLY_BYTES) {
      // small: a hand-off to another thread would cost more than the copy
      sendThenRead(reply);
      return;
    }
    // serialising a reply of up to hundreds of MB is transport work, not device work: do it
    // off the device thread, so it is neither charged to the tenant's busy time nor keeps
    // the device from the next tenant's batch
    core.replies.execute(() -> sendThenRead(reply));
  }

  /**
   * Sends a reply and reads the next message once the transport has taken the reply; a client
   * that leaves it unread for the reply timeout loses the session (and the memory it holds).
   */
  private void sendThenRead(ServerMessage reply) {
    Session s = session;
    if (s != null) {
      s.noteMessage(reply.getSerializedSize());
    }
    long n = replies.incrementAndGet();
    draining.set(true);
    send(reply);
    if (call.isReady()) {
      drained();
      return;
    }
    long t = core.limits.replyTimeoutMillis();
    // the deadline keeps the reply's size, not the reply: a task that held the message would
    // keep its payload on the heap for the whole timeout even after the client had read it
    int size = reply.getSerializedSize();
    replyDeadline = core.timers.schedule(() -> {
      if (replies.get() == n && draining.get()) {
        fail(Status.DEADLINE_EXCEEDED.withDescription("a reply of " + size
            + " bytes was not read within " + t + " ms; the session was ended"));
      }
    }, t, TimeUnit.MILLISECONDS);
  }

  /** The call's on-ready handler: the transport took what was sent. */
  void onReady() {
    if (call.isReady()) {
      drained();
    }
  }

  private void drained() {
    if (draining.compareAndSet(true, false)) {
      ScheduledFuture<?> d = replyDeadline;
      if (d != null) {
        d.cancel(false); // off the timer queue now, not when the timeout would have passed
      }
      requestNext();
    }
  }

  private void open(Open o) {
    double fgpu = o.getFgpu();
    int vmem = o.getVmemUnits();
    if (!(fgpu > 0 && fgpu <= 1)) {
      fail(Status.INVALID_ARGUMENT.withDescription("fgpu must be in (0, 1], got " + fgpu));
      return;
    }
    if (vmem < 1 || vmem > MAX_VMEM_UNITS) {
      fail(Status.INVALID_ARGUMENT.withDescription("vmem_units must be in [1, " + MAX_VMEM_UNITS
          + "] (units of 256 MiB), got " + vmem));
      return;
    }
    if (o.getClient().length() > MAX_CLIENT_CHARS) {
      fail(Status.INVALID_ARGUMENT.withDescription("client description is " + o.getClient().length()
          + " characters long, at most " + MAX_CLIENT_CHARS + " are kept"));
      return;
    }
    io.edgepipe.api.PayloadCodec codec;
    try {
      codec = o.getCodec().isEmpty() ? io.edgepipe.api.PayloadCodec.NONE : io.edgepipe.api.PayloadCodec.parse(o.getCodec());
    } catch (IllegalArgumentException e) {
      fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage().length() > 100 ? "unknown codec" : e.getMessage()));
      return;
    }
    Session s;
    try {
      s = core.newSession(tenant, o.getClient(), fgpu, vmem);
    } catch (io.edgepipe.vgpu.GpuException e) {
      String msg = e.getMessage().startsWith(e.code() + ": ") ? e.getMessage().substring(e.code().length() + 2) : e.getMessage();
      fail(Status.Code.valueOf(e.code()).toStatus().withDescription(msg));
      return;
    }
    s.codec = codec;
    String declined = o.getShmSegment().isEmpty() ? "" : core.attachSegment(s, o.getShmSegment(), o.getShmBytes());
    // the doorbell only with the segment: both say the client is on this host
    DoorbellLine bell = s.segment == null || o.getDoorbell().isEmpty() ? null
        : DoorbellLine.connect(o.getDoorbell(), o.getDoorbellTicket().toByteArray(), s.id);
    session = s;
    openDeadline.cancel(false);
    LOG.fine(() -> "session " + s.id + " opened for tenant " + tenant + " fgpu=" + fgpu + " vmem=" + vmem);
    send(ServerMessage.newBuilder().setOpened(Opened.newBuilder()
        .setSessionId(s.id).setTenant(tenant).setDeviceName(core.device.name())
        .setVmemBytesAllowed(s.bytesAllowed).setMaxMessageBytes(core.limits.maxMessageBytes())
        .setMaxBatchOps(core.limits.maxOpsPerBatch())
        .setShm(s.segment != null).setShmBytes(s.segment == null ? 0 : s.segment.bytes())
        .setShmDeclined(declined == null ? "" : declined).setDoorbell(bell != null)).build());
    if (bell != null) {
      line = bell;
      bell.start(m -> onDoorbell(bell, m));
    }
    requestNext();
  }

  @Override
  public void onError(Throwable t) {
    end(false); // cancelled by the client or the connection is gone
  }

  @Override
  public void onCompleted() {
    end(true); // the client closed its Gpu
  }

  /** Also the call's cancel handler. */
  void cancelled() {
    end(false);
  }

  private void fail(Status status) {
    synchronized (this) {
      try {
        call.onError(status.asRuntimeException());
      } catch (RuntimeException e) {
        // already closed
      }
    }
    end(false);
  }

  /** Releases the session on the device thread, then (for a clean close) completes the stream. */
  private void end(boolean graceful) {
    // gRPC delivers a call's messages, half-close and cancellation one at a time, so open()
    // and end() never race; ended only guards against a second end (cancel after error)
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    openDeadline.cancel(false);
    DoorbellLine bell = line;
    if (bell != null) {
      bell.close();
    }
    Session s = session;
    if (s == null) {
      return;
    }
    s.ended = true;
    core.scheduler.unregister(s.lane);
    core.scheduler.control(() -> {
      // on the device thread, after any slice of the session's batch: a batch the scheduler
      // dropped unrun still holds its transport buffers
      done(inFlight);
      core.release(s);
      LOG.fine(() -> "session " + s.id + " of tenant " + s.tenant + " ended; memory released");
      if (graceful) {
        synchronized (this) {
          try {
            call.onCompleted();
          } catch (RuntimeException e) {
            LOG.log(Level.FINE, "completing a finished call", e);
          }
        }
      }
    });
  }

  private void send(ServerMessage m) {
    synchronized (this) {
      if (call.isCancelled()) {
        return;
      }
      try {
        call.onNext(m);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "reply to a closed session dropped", e);
      }
    }
  }

  private void requestNext() {
    synchronized (this) {
      if (!call.isCancelled()) {
        call.request(1);
      }
    }
  }
}
