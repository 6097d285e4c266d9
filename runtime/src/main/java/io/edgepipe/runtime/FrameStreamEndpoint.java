package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of a frame stream with manual flow control: a frame is requested from the
 * sender only when the previous one has been processed and forwarded, plus a small prefetch so
 * receiving the next frame overlaps computing this one. A slow next hop therefore stops this
 * stage from reading, gRPC's window fills, and the sender's {@code isReady()} turns false:
 * backpressure travels up the chain and nothing queues without bound.
 */
public final class FrameStreamEndpoint implements StreamObserver<Frame> {
  private static final Logger log = Logger.getLogger(FrameStreamEndpoint.class.getName());

  /** Frames read ahead of the one being processed. */
  static final int PREFETCH = 1;

  private final FrameHandler handler;
  private final ServerCallStreamObserver<FrameAck> acks;

  private FrameStreamEndpoint(FrameHandler handler, ServerCallStreamObserver<FrameAck> acks) {
    this.handler = handler;
    this.acks = acks;
  }

  /** Binds a new incoming stream to the handler; returns the observer gRPC delivers frames to. */
  public static StreamObserver<Frame> open(FrameHandler handler, StreamObserver<FrameAck> responses) {
    ServerCallStreamObserver<FrameAck> acks = (ServerCallStreamObserver<FrameAck>) responses;
    acks.disableAutoRequest();
    acks.request(1 + PREFETCH);
    return new FrameStreamEndpoint(handler, acks);
  }

  @Override
  public void onNext(Frame frame) {
    FrameAck ack = handler.handle(frame);
    if (!acks.isCancelled()) {
      acks.onNext(ack);
    }
    acks.request(1);
  }

  @Override
  public void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() != Status.Code.CANCELLED) {
      log.log(Level.INFO, handler.stage() + ": upstream stream ended with " + status);
    }
  }

  @Override
  public void onCompleted() {
    // every frame of this stream has been handled and forwarded (onNext runs to completion
    // before the next callback), so the stream can close: this is the graceful drain
    acks.onCompleted();
  }
}
