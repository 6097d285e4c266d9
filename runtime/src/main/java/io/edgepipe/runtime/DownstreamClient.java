package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.SinkGrpc;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The streaming client to the next hop. {@link #send} waits while the stream is not ready
 * (gRPC flow control), so a slow next stage slows this one; at most about one frame is ever
 * buffered in the transport. Acks come back on the same stream; an ack with an error is
 * counted and logged, not retried (realtime delivery).
 */
public final class DownstreamClient implements Downstream {
  private static final Logger log = Logger.getLogger(DownstreamClient.class.getName());

  private final String stage;
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final MethodDescriptor<Frame, FrameAck> method;
  private final Consumer<FrameAck> onErrorAck;
  private final Object lock = new Object();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private ClientCallStreamObserver<Frame> stream; // guarded by lock
  private boolean streamDone;                      // guarded by lock

  /**
   * @param toSink     true when the next hop is the sink (Sink/Deliver), false for a stage (Stage/Stream)
   * @param onErrorAck called for every ack whose code is not OK
   */
  public DownstreamClient(String stage, ManagedChannel channel, boolean ownsChannel, boolean toSink,
      Consumer<FrameAck> onErrorAck) {
    this.stage = stage;
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.method = toSink ? SinkGrpc.getDeliverMethod() : StageGrpc.getStreamMethod();
    this.onErrorAck = onErrorAck;
  }

  @Override
  public void send(Frame frame) {
    synchronized (lock) {
      if (stream == null || streamDone) {
        openStream();
      }
      while (!stream.isReady() && !streamDone) {
        try {
          lock.wait(1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FrameRejectedException(Status.Code.CANCELLED, stage + ": interrupted while sending");
        }
      }
      if (streamDone) {
        lost.incrementAndGet();
        throw new FrameRejectedException(Status.Code.UNAVAILABLE, stage + ": next hop stream closed");
      }
      stream.onNext(frame);
      sent.incrementAndGet();
    }
  }

  private void openStream() {
    streamDone = false;
    ClientResponseObserver<Frame, FrameAck> responses = new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<Frame> requests) {
        requests.setOnReadyHandler(() -> {
          synchronized (lock) {
            lock.notifyAll();
          }
        });
      }

      @Override
      public void onNext(FrameAck ack) {
        acked.incrementAndGet();
        if (ack.getCode() != 0) {
          onErrorAck.accept(ack);
        }
      }

      @Override
      public void onError(Throwable t) {
        log.warning(stage + ": stream to next hop failed: " + Status.fromThrowable(t));
        finished();
      }

      @Override
      public void onCompleted() {
        finished();
      }
    };
    // The stream is opened from an incoming call's thread; forking the context keeps it from
    // inheriting that call's cancellation (the outgoing stream outlives any one upstream stream).
    Context previous = Context.current().fork().attach();
    try {
      stream = (ClientCallStreamObserver<Frame>) ClientCalls.asyncBidiStreamingCall(
          channel.newCall(method, CallOptions.DEFAULT.withOnReadyThreshold(Transport.ON_READY_THRESHOLD)),
          responses);
    } finally {
      Context.current().detach(previous);
    }
  }

  private void finished() {
    synchronized (lock) {
      streamDone = true;
      lock.notifyAll();
    }
  }

  public long sent() {
    return sent.get();
  }

  public long acked() {
    return acked.get();
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (stream != null && !streamDone) {
        stream.onCompleted();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!streamDone && System.nanoTime() < deadline) {
          try {
            lock.wait(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    }
    if (ownsChannel) {
      channel.shutdown();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      channel.shutdownNow();
    }
  }
}
