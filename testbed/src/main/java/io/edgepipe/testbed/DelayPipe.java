package io.edgepipe.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * One direction of one proxied connection: a reader thread stamps each chunk it reads with
 * {@code now + delay} and queues it; a writer thread sends each chunk when its time comes. The
 * queue holds at most {@code bufferBytes}; when full the reader stops reading, so TCP pushes
 * back on the sender. End of stream is passed on (half close) after the same delay; an error on
 * either side closes the whole connection.
 */
final class DelayPipe {
  static final int CHUNK = 64 * 1024;

  /** What the connection learns from a direction. */
  interface Listener {
    void forwarded(long bytes);

    /** This direction ended cleanly (its FIN was passed on). */
    void finished();

    /** This direction failed: close the connection. */
    void failed();
  }

  private record Chunk(byte[] data, int length, long dueNanos) {}

  private final Socket from;
  private final Socket to;
  private final long delayNanos;
  private final int bufferBytes;
  private final Listener listener;
  private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
  private int queued;              // bytes in queue; guarded by queue
  private long eofDueNanos = -1;   // when the FIN is due, once the reader saw it; guarded by queue
  private boolean broken;          // a read or write failed; guarded by queue

  DelayPipe(Socket from, Socket to, long delayNanos, int bufferBytes, Listener listener) {
    this.from = from;
    this.to = to;
    this.delayNanos = delayNanos;
    this.bufferBytes = bufferBytes;
    this.listener = listener;
  }

  void start(BiFunction<String, Runnable, Thread> threads, String name) {
    threads.apply(name + "-read", this::readLoop).start();
    threads.apply(name + "-write", this::writeLoop).start();
  }

  private void readLoop() {
    try {
      InputStream in = from.getInputStream();
      while (true) {
        byte[] buf = new byte[CHUNK];
        int n = in.read(buf);
        long due = System.nanoTime() + delayNanos;
        synchronized (queue) {
          if (n < 0) {
            eofDueNanos = due;
            queue.notifyAll();
            return;
          }
          while (queued + n > bufferBytes && queued > 0 && !broken) {
            queue.wait();
          }
          if (broken) {
            return;
          }
          queue.add(new Chunk(buf, n, due));
          queued += n;
          queue.notifyAll();
        }
      }
    } catch (IOException | InterruptedException e) {
      breakDown();
    }
  }

  private void writeLoop() {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk c;
        long eofDue;
        synchronized (queue) {
          while (queue.isEmpty() && eofDueNanos < 0 && !broken) {
            queue.wait();
          }
          if (broken) {
            return;
          }
          c = queue.peek();
          eofDue = eofDueNanos;
        }
        if (c == null) { // drained and the reader saw the end: pass the FIN on, delayed like data
          waitUntil(eofDue);
          to.shutdownOutput();
          listener.finished();
          return;
        }
        waitUntil(c.dueNanos());
        out.write(c.data(), 0, c.length());
        listener.forwarded(c.length());
        synchronized (queue) {
          queue.poll();
          queued -= c.length();
          queue.notifyAll();
        }
      }
    } catch (IOException | InterruptedException e) {
      breakDown();
    }
  }

  private void breakDown() {
    synchronized (queue) {
      broken = true;
      queue.notifyAll();
    }
    listener.failed();
  }

  private static void waitUntil(long dueNanos) throws InterruptedException {
    long wait;
    while ((wait = dueNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }
}
