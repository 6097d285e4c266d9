package io.edgepipe.harness.adaptive;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.runtime.Downstream;

/**
 * A stage's downstream that a controller can repoint to a moved next stage without losing or
 * duplicating a frame, make-before-break: {@link #switchTo} sends every new frame to the new
 * next stage at once, while the frames already sent to the old one finish there in parallel
 * (each connection keeps custody of its own frames and re-sends them if its stream breaks); the
 * old connection is closed once it has answered them all ({@link Drain#await}). Frames of one
 * flow can then reach the stages after the move out of order (new ones overtake the old ones
 * still draining); the sink puts them back in order by their per-flow sequence numbers in
 * reliable delivery, and accounts for each once in realtime delivery.
 */
public final class SwitchableDownstream implements Downstream {
  private final Object lock = new Object();
  private Target current;

  /** One next stage and the frames sent to it that it has not answered yet. */
  private static final class Target {
    final Downstream downstream;
    long inFlight; // guarded by the outer lock

    Target(Downstream downstream) {
      this.downstream = downstream;
    }
  }

  /** The old connection after a switch: its frames still finishing there. */
  public final class Drain {
    private final Target old;

    private Drain(Target old) {
      this.old = old;
    }

    /**
     * Waits until the old next stage has answered every frame it was sent (in reliable delivery
     * an answer means the frame is in custody further down), at most {@code timeoutMs}, then
     * closes the old connection. Returns whether it drained in time.
     */
    public boolean await(long timeoutMs) {
      boolean drained;
      synchronized (lock) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (old.inFlight > 0 && System.currentTimeMillis() < deadline) {
          try {
            lock.wait(Math.max(1, deadline - System.currentTimeMillis()));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        drained = old.inFlight == 0;
      }
      old.downstream.close(); // waits for whatever is left, if the timeout came first
      return drained;
    }
  }

  public SwitchableDownstream(Downstream first) {
    this.current = new Target(first);
  }

  @Override
  public void send(Frame frame, Runnable onAnswered) {
    Target target;
    synchronized (lock) {
      target = current;
      target.inFlight++;
    }
    target.downstream.send(frame, () -> {
      if (onAnswered != null) {
        onAnswered.run();
      }
      synchronized (lock) {
        target.inFlight--;
        lock.notifyAll();
      }
    });
  }

  /**
   * Sends to {@code next} from now on and returns at once; the frames already sent to the old
   * next stage finish there (see {@link Drain}).
   */
  public Drain switchTo(Downstream next) {
    synchronized (lock) {
      Target old = current;
      current = new Target(next);
      return new Drain(old);
    }
  }

  /**
   * Sends to {@code next} from now on; returns once every frame sent to the old one was answered
   * (or {@code timeoutMs} passed) and the old connection is closed. New frames go to {@code next}
   * meanwhile. Returns whether it drained.
   */
  public boolean repoint(Downstream next, long timeoutMs) {
    return switchTo(next).await(timeoutMs);
  }

  @Override
  public void close() {
    Downstream target;
    synchronized (lock) {
      target = current.downstream;
    }
    target.close();
  }

  @Override
  public void abort() {
    Downstream target;
    synchronized (lock) {
      target = current.downstream;
    }
    target.abort();
  }
}
