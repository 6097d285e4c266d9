package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of a frame stream.
 *
 * <p>Reliable delivery: manual flow control. A frame is requested from the sender only when the
 * previous one has been processed and forwarded (plus a small prefetch so receiving overlaps
 * computing), so a slow next hop stops this stage from reading, gRPC's window fills, and the
 * sender's {@code isReady()} turns false: backpressure travels up the chain and nothing queues
 * without bound. Answers go back when the next hop has answered.
 *
 * <p>Realtime delivery: frames are read as they come into the stage's bounded
 * {@link StageInbox}, which drops the oldest when the stage falls behind.
 *
 * <p>Either way, when the sender half-closes, the stream is completed once every frame of it has
 * been answered: that is the graceful drain.
 */
public final class FrameStreamEndpoint implements StreamObserver<Frame> {
  private static final Logger log = Logger.getLogger(FrameStreamEndpoint.class.getName());

  /** Frames read ahead of the one being processed (reliable delivery). */
  static final int PREFETCH = 1;

  private final FrameHandler handler;
  private final StageInbox inbox; // realtime only
  private final ServerCallStreamObserver<FrameAck> acks;
  private final Object ackLock = new Object();
  private int unanswered;      // guarded by ackLock
  private boolean halfClosed;  // guarded by ackLock
  private boolean done;        // guarded by ackLock

  private FrameStreamEndpoint(FrameHandler handler, StageInbox inbox, ServerCallStreamObserver<FrameAck> acks) {
    this.handler = handler;
    this.inbox = inbox;
    this.acks = acks;
  }

  /** Binds a new incoming stream to the handler; returns the observer gRPC delivers frames to. */
  public static StreamObserver<Frame> open(FrameHandler handler, StreamObserver<FrameAck> responses) {
    ServerCallStreamObserver<FrameAck> acks = (ServerCallStreamObserver<FrameAck>) responses;
    StageInbox inbox = handler.inbox();
    boolean realtime = inbox != null;
    if (!realtime) {
      acks.disableAutoRequest();
      acks.request(1 + PREFETCH);
    }
    return new FrameStreamEndpoint(handler, realtime ? inbox : null, acks);
  }

  @Override
  public void onNext(Frame frame) {
    synchronized (ackLock) {
      unanswered++;
    }
    if (inbox != null) {
      inbox.offer(frame, this::answer);
    } else {
      handler.handle(frame, this::answer);
      acks.request(1);
    }
  }

  private void answer(FrameAck ack) {
    synchronized (ackLock) {
      if (done) {
        return;
      }
      if (!acks.isCancelled()) {
        acks.onNext(ack);
      }
      unanswered--;
      completeIfDrained();
    }
  }

  private void completeIfDrained() {
    if (halfClosed && unanswered == 0 && !done) {
      done = true;
      if (!acks.isCancelled()) {
        acks.onCompleted();
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() != Status.Code.CANCELLED) {
      log.log(Level.INFO, handler.stage() + ": upstream stream ended with " + status);
    }
    synchronized (ackLock) {
      done = true; // the sender is gone; answers still pending have nobody to go to
    }
  }

  @Override
  public void onCompleted() {
    synchronized (ackLock) {
      halfClosed = true;
      completeIfDrained();
    }
  }
}
