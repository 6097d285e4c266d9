package io.edgepipe.vgpu.remote;

import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.Opened;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A {@link RemoteGpu}'s session with the backend: the channel with its credentials, the current
 * session stream, and re-establishing a lost session (reconnect with backoff for up to the spec's
 * reconnect window, then {@link HandleJournal#replay}). Every wait has the spec's call timeout.
 */
final class SessionLink {
  private static final Logger LOG = Logger.getLogger(SessionLink.class.getName());
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of(Wire.TENANT_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 1_000;

  private final RemoteSpec spec;
  private final String displayName;
  private final Channel channel;
  private final ManagedChannel managed;
  private final boolean ownsChannel;
  private final CallOptions callOptions;

  private final PayloadLink payloads;
  private SessionStream stream;
  /** The current session's doorbell (same host), or null: batches then take the stream. */
  private Doorbell bell;
  private long doorbellTrips;
  private Opened opened;
  private long seq;
  private long roundTrips;
  private long reconnects;
  private long busyNanos;

  /** A reply to a batch; closing it gives back the transport buffers its DtoH data aliases. */
  final class Reply implements AutoCloseable {
    private final ServerMessage message;
    private final SessionStream from;

    private Reply(ServerMessage message, SessionStream from) {
      this.message = message;
      this.from = from;
    }

    /** The batch's result (its device time counted), or INTERNAL if the backend answered otherwise. */
    BatchResult result(Batch batch) {
      if (!message.hasResult() || message.getResult().getSeq() != batch.getSeq()) {
        throw new GpuException("INTERNAL", "backend answered batch " + batch.getSeq() + " with " + message.getKindCase());
      }
      busyNanos += message.getResult().getBusyNanos();
      return message.getResult();
    }

    @Override
    public void close() {
      if (from != null) {
        from.release(message);
      }
    }
  }

  /** Attaches the spec's credentials to {@code channel}; opens no session yet. */
  SessionLink(Channel channel, boolean ownChannel, RemoteSpec spec) {
    this.spec = spec;
    this.displayName = spec.displayName();
    this.payloads = new PayloadLink(spec.link().codec());
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
  }

  Opened opened() {
    return opened;
  }

  /** How the current session's payloads travel (segment or inline, codec). */
  PayloadLink payloads() {
    return payloads;
  }

  long roundTrips() {
    return roundTrips;
  }

  long reconnects() {
    return reconnects;
  }

  long busyNanos() {
    return busyNanos;
  }

  long nextSeq() {
    return ++seq;
  }

  /** Round trips that went over the doorbell. */
  long doorbellTrips() {
    return doorbellTrips;
  }

  /**
   * Sends {@code batch} on the current session and waits for its reply (one round trip): on the
   * doorbell when the session has one and the message is small, else on the stream.
   */
  Reply send(Batch batch) {
    ClientMessage m = ClientMessage.newBuilder().setBatch(batch).build();
    if (bell != null && m.getSerializedSize() <= Doorbell.MAX_MESSAGE_BYTES) {
      ServerMessage reply;
      try {
        reply = bell.call(m, spec.callTimeoutMillis());
      } catch (GpuException e) {
        bell = null;
        stream.abort(); // the session is lost with its doorbell: the backend frees it
        throw e;
      }
      roundTrips++;
      doorbellTrips++;
      return new Reply(reply, null);
    }
    ServerMessage reply = stream.call(m, spec.callTimeoutMillis());
    roundTrips++;
    return new Reply(reply, stream);
  }

  /**
   * True if a batch that failed with {@code e} may be sent again on a new session: the session
   * broke under it (not a deadline), and reconnecting is on.
   */
  boolean lostUnder(GpuException e) {
    if (stream.broken() && spec.reconnectMillis() <= 0 && !"DEADLINE_EXCEEDED".equals(e.code())) {
      // the same answer whether the loss was noticed before the call or during it
      throw new GpuException("UNAVAILABLE", displayName + ": the session with the vgpu backend was lost "
          + "(reconnect=0): " + e.getMessage(), e);
    }
    boolean lost = stream.broken() && spec.reconnectMillis() > 0 && !"DEADLINE_EXCEEDED".equals(e.code());
    if (lost) {
      LOG.info(() -> displayName + ": session " + opened.getSessionId() + " lost (" + e.getMessage()
          + "); re-establishing it and resending the batch");
    }
    return lost;
  }

  /** A live session: re-established, with {@code journal} replayed, if the last one was lost. */
  void ensure(HandleJournal journal) {
    if (stream != null && !stream.broken()) {
      return;
    }
    if (spec.reconnectMillis() <= 0) {
      throw new GpuException("UNAVAILABLE", displayName + ": the session with the vgpu backend was lost (reconnect=0)");
    }
    if (stream != null) {
      stream.abort();
      stream = null;
    }
    closeBell();
    journal.sessionLost();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.reconnectMillis());
    long backoff = FIRST_BACKOFF_MILLIS;
    int attempts = 0;
    while (true) {
      attempts++;
      if (managed != null) {
        managed.resetConnectBackoff(); // the channel's own backoff would make us wait seconds
      }
      try {
        open();
        journal.replay(this);
        reconnects++;
        int n = attempts;
        LOG.info(() -> displayName + ": session re-established as " + opened.getSessionId() + " after " + n
            + " attempt(s); " + journal.summary());
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

  /**
   * Opens a new session on the channel (one round trip), offering a fresh shared-memory segment:
   * if the backend maps it (same host), the session's payloads go through it; if not, the segment
   * is deleted and payloads go inline.
   */
  void open() {
    SessionStream s = new SessionStream(channel, callOptions);
    io.edgepipe.api.shm.SharedSegment offered = PayloadLink.offer(spec.link(), spec.host());
    Open.Builder o = Open.newBuilder().setFgpu(spec.fgpu()).setVmemUnits(spec.vmemUnits()).setClient(spec.client())
        .setCodec(spec.link().codec().label());
    Doorbell offeredBell = offered == null ? null : Doorbell.listen();
    if (offered != null) {
      o.setShmSegment(offered.name()).setShmBytes(offered.bytes());
    }
    if (offeredBell != null) {
      o.setDoorbell(offeredBell.name()).setDoorbellTicket(com.google.protobuf.ByteString.copyFrom(offeredBell.ticket()));
    }
    ServerMessage reply;
    try {
      reply = s.call(ClientMessage.newBuilder().setOpen(o).build(), spec.callTimeoutMillis());
    } catch (GpuException e) {
      closeQuietly(offered);
      closeQuietly(offeredBell);
      if (e.code().equals("UNAUTHENTICATED") && spec.token().isEmpty()) {
        throw new GpuException(e.code(), "no vGPU token given for " + displayName + " (use ?token=, "
            + "EDGEPIPE_VGPU_TOKEN or EDGEPIPE_VGPU_TOKEN_FILE): " + e.getMessage(), e);
      }
      throw e;
    }
    if (!reply.hasOpened()) {
      closeQuietly(offered);
      closeQuietly(offeredBell);
      s.abort();
      throw new GpuException("INTERNAL", "backend answered open with " + reply.getKindCase());
    }
    stream = s;
    opened = reply.getOpened();
    roundTrips++;
    if (offered != null && !opened.getShm()) {
      LOG.fine(() -> displayName + ": payloads go inline: " + opened.getShmDeclined());
      closeQuietly(offered);
      offered = null;
    }
    payloads.useSegment(offered, opened.getShmBytes());
    closeBell();
    if (offeredBell != null && opened.getShm() && opened.getDoorbell() && offeredBell.accept(spec.callTimeoutMillis())) {
      bell = offeredBell;
    } else {
      closeQuietly(offeredBell);
    }
  }

  private void closeBell() {
    if (bell != null) {
      bell.close();
      bell = null;
    }
  }

  private static void closeQuietly(Doorbell d) {
    if (d != null) {
      d.close();
    }
  }

  private static void closeQuietly(io.edgepipe.api.shm.SharedSegment segment) {
    if (segment != null) {
      segment.close();
    }
  }

  /** Ends the session (waiting for the backend to free it) and closes the channel if it is ours. */
  void close() {
    if (stream != null) {
      stream.close(5_000); // first: the backend ends the session cleanly before its doorbell closes
    }
    closeBell();
    payloads.close();
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GpuException("CANCELLED", "interrupted while reconnecting to the vgpu backend");
    }
  }
}
