package io.edgepipe.vgpu.remote;

import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client end of one Session stream, used as request/reply: send one message, wait (at most a
 * deadline) for its one answer. The stream is the session's lifetime on the backend, so closing it
 * (or losing it) frees the session there. Once the stream has failed it stays failed
 * ({@link #broken()}); the owner opens a new one.
 */
final class SessionStream implements ClientResponseObserver<ClientMessage, ServerMessage> {
  private static final Object COMPLETED = new Object();

  /** Replies are parsed in place (their DtoH data aliases the transport's buffers until released). */
  static final Marshalling.Retaining<ServerMessage> REPLIES = Marshalling.retaining(ServerMessage.getDefaultInstance());

  /** The Session method with the copy-saving marshallers. */
  static final MethodDescriptor<ClientMessage, ServerMessage> SESSION = VgpuGrpc.getSessionMethod().toBuilder(
      Marshalling.copyOnce(ClientMessage.getDefaultInstance()), REPLIES).build();

  private final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final StreamObserver<ClientMessage> requests;
  private ClientCallStreamObserver<ClientMessage> call;
  private volatile Status failure;

  /** Starts the stream on {@code channel} (which carries the credentials). */
  SessionStream(Channel channel, CallOptions options) {
    this.requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(SESSION, options), this);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ClientMessage> requestStream) {
    this.call = requestStream;
  }

  /** True once the stream has ended or failed: the session it carried is gone. */
  boolean broken() {
    return failure != null;
  }

  /**
   * Sends {@code m} and waits up to {@code timeoutMillis} for its answer. A broken stream becomes a
   * GpuException with the stream's status; no answer in time cancels the stream (the backend frees
   * the session) and is DEADLINE_EXCEEDED. The caller releases the reply with {@link #release}.
   */
  ServerMessage call(ClientMessage m, long timeoutMillis) {
    Status f = failure;
    if (f != null) {
      throw toGpuException(f);
    }
    try {
      requests.onNext(m);
    } catch (RuntimeException e) {
      failure = Status.fromThrowable(e);
      throw toGpuException(failure);
    }
    Object r;
    try {
      r = replies.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(Status.CANCELLED.withDescription("interrupted while waiting for the backend"), e);
      throw toGpuException(failure);
    }
    if (r == null) {
      fail(Status.DEADLINE_EXCEEDED.withDescription("no answer within " + timeoutMillis
          + " ms; the session was dropped"), null);
      throw toGpuException(failure);
    }
    if (r instanceof ServerMessage sm) {
      return sm;
    }
    throw toGpuException(failure);
  }

  /** Gives back the transport buffers a reply's data aliases. */
  void release(ServerMessage reply) {
    REPLIES.release(reply);
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
    drain();
  }

  /** Drops the stream without a goodbye (the backend notices and frees the session). */
  void abort() {
    fail(Status.CANCELLED.withDescription("client aborted the session"), null);
  }

  private void fail(Status s, Throwable cause) {
    if (failure == null) {
      failure = s;
    }
    call.cancel(s.getDescription(), cause);
    drain();
  }

  private void drain() {
    Object o;
    while ((o = replies.poll()) != null) {
      if (o instanceof ServerMessage sm) {
        release(sm);
      }
    }
  }

  @Override
  public void onNext(ServerMessage value) {
    String bad = Marshalling.malformed(value);
    if (bad != null) {
      failure = Status.INTERNAL.withDescription("the backend sent a " + bad);
      call.cancel("malformed reply", null);
      replies.add(failure.asRuntimeException());
      return;
    }
    replies.add(value);
    if (failure != null) {
      drain(); // nobody waits for it any more (deadline passed): give its buffers back
    }
  }

  @Override
  public void onError(Throwable t) {
    Status s = Status.fromThrowable(t);
    if (failure == null) {
      failure = s;
    }
    replies.add(t);
    ended.countDown();
  }

  @Override
  public void onCompleted() {
    if (failure == null) {
      failure = Status.UNAVAILABLE.withDescription("the backend ended the session");
    }
    replies.add(COMPLETED);
    ended.countDown();
  }

  static GpuException toGpuException(Status s) {
    String d = s.getDescription() == null ? s.getCode().name() : s.getDescription();
    return new GpuException(s.getCode().name(), "vgpu backend: " + d, s.getCause());
  }
}
