package io.edgepipe.vgpu.remote;

import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client end of one Session stream, used as request/reply: send one message, wait for its
 * one answer. The stream is the session's lifetime on the backend, so closing it (or losing it)
 * frees the session there.
 */
final class SessionStream implements ClientResponseObserver<ClientMessage, ServerMessage> {
  private static final Object COMPLETED = new Object();

  private final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final StreamObserver<ClientMessage> requests;
  private ClientCallStreamObserver<ClientMessage> call;
  private volatile Status failure;

  SessionStream(VgpuGrpc.VgpuStub stub) {
    this.requests = stub.session(this);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ClientMessage> requestStream) {
    this.call = requestStream;
  }

  /** Sends {@code m} and waits for its answer; a broken stream becomes a GpuException. */
  ServerMessage call(ClientMessage m) {
    Status f = failure;
    if (f != null) {
      throw toGpuException(f);
    }
    try {
      requests.onNext(m);
    } catch (RuntimeException e) {
      throw toGpuException(Status.fromThrowable(e));
    }
    Object r;
    try {
      r = replies.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel("interrupted while waiting for the backend", e);
      failure = Status.CANCELLED.withDescription("interrupted while waiting for the backend");
      throw toGpuException(failure);
    }
    if (r instanceof ServerMessage sm) {
      return sm;
    }
    throw toGpuException(failure);
  }

  /** Half-closes and waits up to {@code millis} for the backend to confirm the release. */
  void close(long millis) {
    if (failure == null) {
      try {
        requests.onCompleted();
        ended.await(millis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // the stream is already gone
      }
    }
    if (ended.getCount() > 0) {
      call.cancel("client closed", null);
    }
  }

  /** Drops the stream without a goodbye (the backend notices and frees the session). */
  void abort() {
    call.cancel("client aborted", null);
  }

  @Override
  public void onNext(ServerMessage value) {
    replies.add(value);
  }

  @Override
  public void onError(Throwable t) {
    failure = Status.fromThrowable(t);
    replies.add(t);
    ended.countDown();
  }

  @Override
  public void onCompleted() {
    failure = Status.UNAVAILABLE.withDescription("the backend ended the session");
    replies.add(COMPLETED);
    ended.countDown();
  }

  static GpuException toGpuException(Status s) {
    String d = s.getDescription() == null ? s.getCode().name() : s.getDescription();
    return new GpuException(s.getCode().name(), "vgpu backend: " + d, s.getCause());
  }
}
