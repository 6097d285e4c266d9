package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Realtime delivery's input queue of a service, shared by all its upstream streams: frames are
 * taken off the wire as they come (the sender is never held back) and processed in order by one
 * worker thread. When more than {@code capacity} frames wait, the oldest is dropped and answered
 * at once, and a tombstone takes its place in the queue, so the drop reaches the sink in order.
 */
final class StageInbox implements AutoCloseable {
  private static final Logger log = Logger.getLogger(StageInbox.class.getName());

  /** @param release frees the transport buffers the frame's payload borrows (null if none) */
  private record Entry(Frame frame, Consumer<FrameAck> answer, boolean tombstone, Runnable release) {
    void releasePayload() {
      if (release != null) {
        release.run();
      }
    }
  }

  private final FrameHandler handler;
  private final int capacity;
  private final Deque<Entry> queue = new ArrayDeque<>(); // guarded by itself
  private final Thread worker;
  private int frames; // real frames in the queue (tombstones are small and not counted)
  private volatile boolean stopped;

  StageInbox(FrameHandler handler, int capacity) {
    this.handler = handler;
    this.capacity = capacity;
    this.worker = new Thread(this::work, handler.stage() + "-inbox");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  void offer(Frame frame, Consumer<FrameAck> answer, Runnable release) {
    Entry dropped = null;
    synchronized (queue) {
      if (stopped) { // the stage is going down: unanswered, the frame stays in the sender's custody
        if (release != null) {
          release.run();
        }
        return;
      }
      if (frames >= capacity) {
        for (Entry e : queue) {
          if (!e.tombstone()) {
            dropped = e;
            break;
          }
        }
        if (dropped != null) {
          // the tombstone takes the dropped frame's place in line and carries its answer, so the
          // sender learns of the drop only once the record of it has moved on (custody)
          queue.remove(dropped);
          queue.addLast(new Entry(Tombstones.of(dropped.frame(), "queue full at " + handler.stage()),
              dropped.answer(), true, null));
          frames--;
        }
      }
      queue.addLast(new Entry(frame, answer, false, release));
      frames++;
      queue.notifyAll();
    }
    if (dropped != null) {
      dropped.releasePayload();
      handler.metrics().frameIn();
      handler.metrics().dropped();
    }
  }

  private void work() {
    while (!stopped) {
      Entry next;
      synchronized (queue) {
        while (queue.isEmpty() && !stopped) {
          try {
            queue.wait(500);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (stopped) {
          return;
        }
        next = queue.pollFirst();
        if (!next.tombstone()) {
          frames--;
        }
      }
      try {
        handler.handle(next.frame(), next.answer() != null ? next.answer() : ack -> {});
      } catch (RuntimeException e) {
        log.log(Level.WARNING, handler.stage() + ": frame " + next.frame().getSeq() + " failed in the inbox", e);
      } finally {
        next.releasePayload();
      }
    }
  }

  /** Waits until the queue is empty (frames handed on), at most {@code millis}. */
  void drain(long millis) {
    long end = System.currentTimeMillis() + millis;
    synchronized (queue) {
      while (!queue.isEmpty() && System.currentTimeMillis() < end) {
        try {
          queue.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    stopped = true;
    worker.interrupt();
    synchronized (queue) {
      for (Entry e : queue) {
        e.releasePayload(); // abandoned with the stage: their buffers go back to the transport
      }
      queue.clear();
    }
  }
}
