package io.edgepipe.harness.adaptive;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.runtime.Downstream;

/**
 * A stage's downstream that a controller can repoint to a moved next stage without losing,
 * duplicating or reordering a frame: {@link #repoint} holds new frames back, waits until the old
 * next stage has answered every frame sent to it (in reliable delivery an answer means the frame
 * is in custody further down), then sends on to the new one and closes the old connection.
 * The pause lasts one window of frames. Meant for reliable delivery: in realtime delivery a
 * frame lost with a stream may never be answered, so the wait is bounded by {@code timeoutMs}.
 */
public final class SwitchableDownstream implements Downstream {
  private final Object lock = new Object();
  private Downstream current;
  private long inFlight;
  private boolean switching;

  public SwitchableDownstream(Downstream first) {
    this.current = first;
  }

  @Override
  public void send(Frame frame, Runnable onAnswered) {
    Downstream target;
    synchronized (lock) {
      while (switching) {
        waitOn();
      }
      inFlight++;
      target = current;
    }
    target.send(frame, () -> {
      if (onAnswered != null) {
        onAnswered.run();
      }
      synchronized (lock) {
        inFlight--;
        lock.notifyAll();
      }
    });
  }

  /**
   * Sends to {@code next} from now on; returns once every frame sent to the old one was answered
   * (or {@code timeoutMs} passed) and the old connection is closed. Returns whether it drained.
   */
  public boolean repoint(Downstream next, long timeoutMs) {
    Downstream old;
    boolean drained;
    synchronized (lock) {
      switching = true;
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (inFlight > 0 && System.currentTimeMillis() < deadline) {
        try {
          lock.wait(Math.max(1, deadline - System.currentTimeMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      drained = inFlight == 0;
      old = current;
      current = next;
      switching = false;
      lock.notifyAll();
    }
    old.close();
    return drained;
  }

  @Override
  public void close() {
    Downstream target;
    synchronized (lock) {
      target = current;
    }
    target.close();
  }

  @Override
  public void abort() {
    Downstream target;
    synchronized (lock) {
      target = current;
    }
    target.abort();
  }

  private void waitOn() {
    try {
      lock.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the next stage moved", e);
    }
  }
}
