package io.edgepipe.vgpu.backend;

import com.google.protobuf.InvalidProtocolBufferException;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.ServerMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The backend end of a session's same-host doorbell (see vgpu.proto, Open.doorbell): a Unix socket
 * to the client on which batches arrive and are answered as length-prefixed messages. A reader
 * thread of its own takes one batch, hands it to the session (which queues it on the device
 * thread), and hands on the next only once its reply is written, so the session still holds at most
 * one batch (and one read ahead). The device thread writes a reply without blocking; what the client has not made room
 * for is finished by the reply pool within the reply timeout, so a client that stops reading never
 * stalls the device. A line that breaks or misbehaves is just closed: the session lives as long as
 * its stream, and batches can still come that way.
 */
final class DoorbellLine implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DoorbellLine.class.getName());
  /** The client's doorbell sockets: segment-like names of this kind in the segments' folder. */
  static final String KIND = "vgpubell";
  /** Largest batch accepted on the line (the client sends larger ones on the stream). */
  static final int MAX_MESSAGE_BYTES = 1 << 20;

  private final SocketChannel channel;
  private final String session;
  /**
   * A permit while no batch of this line is unanswered. The reader takes it before handing a batch
   * on, not after: it then waits in the selector for the next batch (which a client sends only once
   * it has read the reply, so the permit is back by then) instead of being woken by each reply.
   */
  private final Semaphore replied = new Semaphore(1);
  private volatile boolean closed;
  private volatile Selector reading;

  private DoorbellLine(SocketChannel channel, String session) {
    this.channel = channel;
    this.session = session;
  }

  /**
   * Connects to the doorbell {@code name} a client offered and writes its {@code ticket} back; null
   * when it cannot (not a doorbell name, nobody listening): the session then answers on the stream.
   * Never blocks: a listener that does not take the connection at once is given up.
   */
  static DoorbellLine connect(String name, byte[] ticket, String session) {
    Path file = SharedMemory.fileOf(name, KIND);
    if (file == null || ticket.length == 0 || ticket.length > 64) {
      return null;
    }
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
      ch.configureBlocking(false);
      if (!ch.connect(UnixDomainSocketAddress.of(file))) {
        ch.close();
        return null;
      }
      ByteBuffer t = ByteBuffer.wrap(ticket);
      ch.write(t);
      if (t.hasRemaining()) {
        ch.close();
        return null;
      }
      return new DoorbellLine(ch, session);
    } catch (IOException | RuntimeException e) {
      LOG.fine(() -> "session " + session + ": no doorbell (" + e + ")");
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // nothing to release
        }
      }
      return null;
    }
  }

  /** Starts reading batches; each goes to {@code batches} (on this line's thread). */
  void start(Consumer<ClientMessage> batches) {
    Thread t = new Thread(() -> read(batches), "vgpu-doorbell-" + session);
    t.setDaemon(true);
    t.start();
  }

  private void read(Consumer<ClientMessage> batches) {
    try (Selector selector = Selector.open()) {
      reading = selector;
      channel.register(selector, SelectionKey.OP_READ);
      ByteBuffer header = ByteBuffer.allocate(4);
      while (!closed) {
        header.clear();
        readFully(selector, header);
        int n = header.flip().getInt();
        if (n < 1 || n > MAX_MESSAGE_BYTES) {
          throw new IOException("a batch of " + n + " bytes (at most " + MAX_MESSAGE_BYTES + " on the doorbell)");
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        readFully(selector, body);
        ClientMessage m = ClientMessage.parseFrom(body.flip());
        replied.acquire(); // a batch only once the previous one is answered (at once for a client that waits for it)
        if (closed) {
          break;
        }
        batches.accept(m);
      }
    } catch (EOFException | java.nio.channels.ClosedChannelException e) {
      // the client closed it (or the session ended): the stream carries on
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "session " + session + ": doorbell closed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  private void readFully(Selector selector, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      int n = channel.read(b);
      if (n < 0) {
        throw new EOFException();
      }
      if (n == 0) {
        selector.select();
        selector.selectedKeys().clear();
        if (closed) {
          throw new EOFException();
        }
      }
    }
  }

  /**
   * Answers the batch in flight: written at once when the client's socket has room (a small reply
   * always has), else finished on {@code slow} within {@code timeoutMillis} or the line is closed.
   */
  void reply(ServerMessage m, Executor slow, long timeoutMillis) {
    byte[] body = m.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
    try {
      synchronized (this) {
        channel.write(out);
      }
    } catch (IOException e) {
      close();
      return;
    }
    if (!out.hasRemaining()) {
      replied.release();
      return;
    }
    slow.execute(() -> finish(out, timeoutMillis));
  }

  private void finish(ByteBuffer out, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_WRITE);
      while (out.hasRemaining()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          LOG.fine(() -> "session " + session + ": a doorbell reply was not read within " + timeoutMillis + " ms");
          close();
          return;
        }
        selector.select(left);
        selector.selectedKeys().clear();
        synchronized (this) {
          channel.write(out);
        }
      }
      replied.release();
    } catch (IOException e) {
      close();
    }
  }

  /** True once closed: batches of the session then come on the stream only. */
  boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    replied.release(); // a reader waiting for an answer that will not be written goes
    Selector r = reading;
    if (r != null) {
      r.wakeup();
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closing
    }
  }
}
