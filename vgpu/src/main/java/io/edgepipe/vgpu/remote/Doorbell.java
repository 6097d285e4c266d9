package io.edgepipe.vgpu.remote;

import com.google.protobuf.InvalidProtocolBufferException;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.ServerMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The client end of a session's same-host doorbell: a Unix socket on which a batch and its reply
 * travel as length-prefixed messages, written and read by the calling thread itself. Through the
 * gRPC stream a round trip wakes six threads in turn (caller, client event loop, backend event
 * loop, device thread, backend event loop, client event loop, caller); on the doorbell the backend's
 * reader and the device thread answer the caller directly (see vgpu.proto, Open.doorbell).
 *
 * <p>The client listens (in the segments' folder, named like a segment so that a client killed
 * before the backend connected leaves nothing that {@link SharedMemory#reclaimOrphans} does not
 * remove), offers the socket's name and a random ticket at open, takes the one connection that
 * brings the ticket back, and unlinks the name at once. Only batches up to {@link #MAX_MESSAGE_BYTES}
 * use it (payloads are in the segment); larger ones take the stream, one batch at a time either way.
 */
final class Doorbell implements AutoCloseable {
  /** The name kind of doorbell sockets in the segments' folder. */
  static final String KIND = "vgpubell";
  /** Largest batch message sent on the doorbell (ops and places; payloads travel in the segment). */
  static final int MAX_MESSAGE_BYTES = 1 << 20;
  static final int TICKET_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();
  /** How often the watchdog looks for late calls: the most a deadline may be passed by before it acts. */
  static final long WATCH_PERIOD_MILLIS = 20;
  /** The doorbells with a call (or a ticket read) under way. */
  private static final Set<Doorbell> WAITING = ConcurrentHashMap.newKeySet();
  /**
   * Ends a call whose reply is late by closing its socket (a blocked read then fails at once). It
   * looks at the waiting doorbells' deadlines every {@link #WATCH_PERIOD_MILLIS} rather than being
   * given a task per call: a call then only writes its deadline, where scheduling and cancelling a
   * task took a lock and woke the watchdog's thread on every round trip.
   */
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private final String name;
  private final Path file;
  private final byte[] ticket;
  private ServerSocketChannel listening;
  private SocketChannel channel;
  private final ByteBuffer header = ByteBuffer.allocate(4);
  private volatile boolean expired;
  /** System.nanoTime by which the call under way must be answered. */
  private volatile long deadline;

  private Doorbell(String name, Path file, byte[] ticket, ServerSocketChannel listening) {
    this.name = name;
    this.file = file;
    this.ticket = ticket;
    this.listening = listening;
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "vgpu-doorbell-watchdog");
      th.setDaemon(true);
      return th;
    });
    t.scheduleWithFixedDelay(Doorbell::expireLate, WATCH_PERIOD_MILLIS, WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    return t;
  }

  private static void expireLate() {
    long now = System.nanoTime();
    for (Doorbell d : WAITING) {
      if (now - d.deadline > 0) {
        d.expire();
      }
    }
  }

  /** Starts watching a wait of up to {@code timeoutMillis}. */
  private void watch(long timeoutMillis) {
    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    WAITING.add(this);
  }

  /** The wait is over: a watchdog pass that still sees this doorbell finds no deadline passed. */
  private void unwatch() {
    WAITING.remove(this);
    deadline = System.nanoTime() + Long.MAX_VALUE / 2;
  }

  /** A doorbell listening in the segments' folder (only this user may connect), or null where that is not possible. */
  static Doorbell listen() {
    if (!SharedMemory.available()) {
      return null;
    }
    String name = SharedMemory.newName(KIND);
    Path file = SharedMemory.dir().resolve(name);
    ServerSocketChannel s = null;
    try {
      s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      s.bind(UnixDomainSocketAddress.of(file), 1);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      byte[] ticket = new byte[TICKET_BYTES];
      RANDOM.nextBytes(ticket);
      return new Doorbell(name, file, ticket, s);
    } catch (IOException | RuntimeException e) {
      closeQuietly(s);
      SharedMemory.deleteQuietly(file);
      return null;
    }
  }

  /** The socket's name (in the segments' folder), offered at open. */
  String name() {
    return name;
  }

  byte[] ticket() {
    return ticket.clone();
  }

  /**
   * Takes the backend's connection (made while it opened the session, so it is already queued)
   * if it brings the ticket back within {@code timeoutMillis}; stops listening and unlinks the
   * name either way. False (and closed) when no connection, or not the backend's.
   */
  boolean accept(long timeoutMillis) {
    try {
      listening.configureBlocking(false);
      channel = listening.accept();
      if (channel == null) {
        return false;
      }
      channel.configureBlocking(true);
      byte[] got = new byte[TICKET_BYTES];
      watch(timeoutMillis);
      try {
        readFully(ByteBuffer.wrap(got));
      } finally {
        unwatch();
      }
      if (!MessageDigest.isEqual(got, ticket)) {
        close();
        return false;
      }
      return true;
    } catch (IOException e) {
      close();
      return false;
    } finally {
      stopListening();
    }
  }

  /**
   * Sends {@code m} and waits up to {@code timeoutMillis} for its answer: UNAVAILABLE when the
   * doorbell broke (backend gone), DEADLINE_EXCEEDED when no answer came in time. Either way the
   * doorbell is closed and the caller drops the session.
   */
  ServerMessage call(ClientMessage m, long timeoutMillis) {
    try {
      watch(timeoutMillis);
      try {
        send(m);
        header.clear();
        readFully(header);
        int n = header.flip().getInt();
        if (n < 0 || n > Wire.MAX_MESSAGE_BYTES) {
          throw new IOException("a reply of " + n + " bytes");
        }
        byte[] reply = new byte[n];
        readFully(ByteBuffer.wrap(reply));
        return ServerMessage.parseFrom(reply);
      } finally {
        unwatch();
      }
    } catch (InvalidProtocolBufferException e) {
      close();
      throw new GpuException("INTERNAL", "vgpu backend: the backend sent a malformed reply on the doorbell: " + e.getMessage());
    } catch (IOException e) {
      close();
      if (expired) {
        throw new GpuException("DEADLINE_EXCEEDED", "vgpu backend: no answer within " + timeoutMillis
            + " ms; the session was dropped");
      }
      throw new GpuException("UNAVAILABLE", "vgpu backend: the session's doorbell broke: " + e, e);
    }
  }

  /** Writes {@code m} as one length-prefixed message (a call's first half; tests send without reading). */
  void send(ClientMessage m) throws IOException {
    byte[] body = m.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
    while (out.hasRemaining()) {
      channel.write(out);
    }
  }

  private void readFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        throw new EOFException("the backend closed the doorbell");
      }
    }
  }

  private void expire() {
    expired = true;
    closeQuietly(channel);
  }

  private void stopListening() {
    closeQuietly(listening);
    listening = null;
    SharedMemory.deleteQuietly(file);
  }

  @Override
  public void close() {
    if (listening != null) {
      stopListening();
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // closing: nothing to do
      }
    }
  }
}
