package io.edgepipe.producer;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.SinkGrpc;
import io.edgepipe.runtime.FrameHandler;
import io.edgepipe.runtime.FrameStreamEndpoint;
import io.grpc.stub.StreamObserver;

/** The Sink gRPC service: the same runtime as a stage, with a handler that forwards nothing. */
public final class SinkService extends SinkGrpc.SinkImplBase {
  private final FrameHandler handler;

  public SinkService(FrameHandler handler) {
    this.handler = handler;
  }

  @Override
  public StreamObserver<Frame> deliver(StreamObserver<FrameAck> responseObserver) {
    return FrameStreamEndpoint.open(handler, responseObserver);
  }

  @Override
  public void deliverOne(Frame request, StreamObserver<FrameAck> responseObserver) {
    handler.handle(request, ack -> {
      responseObserver.onNext(ack);
      responseObserver.onCompleted();
    });
  }
}
