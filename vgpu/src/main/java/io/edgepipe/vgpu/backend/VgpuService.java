package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.proto.StatusRequest;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** The gRPC face of the backend; calls arrive authenticated (see {@link AuthInterceptor}). */
final class VgpuService extends VgpuGrpc.VgpuImplBase {
  private final BackendCore core;

  VgpuService(BackendCore core) {
    this.core = core;
  }

  @Override
  public StreamObserver<ClientMessage> session(StreamObserver<ServerMessage> responses) {
    ServerCallStreamObserver<ServerMessage> call = (ServerCallStreamObserver<ServerMessage>) responses;
    // one client message at a time: the next is read only after the previous one is answered
    call.disableAutoRequest();
    SessionHandler handler = new SessionHandler(call, AuthInterceptor.TENANT.get(), core);
    call.setOnCancelHandler(handler::cancelled);
    call.setOnReadyHandler(handler::onReady);
    call.request(1);
    return handler;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusReply> responses) {
    responses.onNext(core.status(AuthInterceptor.TENANT.get()));
    responses.onCompleted();
  }
}
