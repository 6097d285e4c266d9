package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** The Stage gRPC service of a compute stage: a thin adapter over its {@link FrameHandler}. */
public final class StageService extends StageGrpc.StageImplBase {
  private final FrameHandler handler;

  public StageService(FrameHandler handler) {
    this.handler = handler;
  }

  @Override
  public StreamObserver<Frame> stream(StreamObserver<FrameAck> responseObserver) {
    return FrameStreamEndpoint.open(handler, responseObserver);
  }

  @Override
  public void process(Frame request, StreamObserver<Frame> responseObserver) {
    try {
      responseObserver.onNext(handler.processOnly(request));
      responseObserver.onCompleted();
    } catch (FrameRejectedException e) {
      responseObserver.onError(Status.fromCode(e.code()).withDescription(e.getMessage()).asRuntimeException());
    }
  }
}
