package io.edgepipe.runtime;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands a socket hop's outgoing messages to the event loop of the hop's connection, so the
 * message is framed (gRPC copies the payload into Netty's buffers) on the thread that then writes
 * those buffers to the socket, instead of on the caller's thread.
 *
 * <p>Why: framed on the caller's thread, a megabyte payload was copied there and read again by
 * the kernel's socket copy on the event loop's thread, usually the other core of two: every byte
 * crossed between the cores' caches, and with three busy threads (caller, client loop, server
 * loop) on two cores the buffers were often evicted in between. A raw socket's sender copies
 * into a hot buffer and writes it on one thread. Here the caller only queues the message.
 *
 * <p>Flow control keeps its meaning: {@link ClientCall#isReady} is false while a handed-off
 * message is not yet framed, and the call's listener is told {@code onReady} once it is (if the
 * transport is ready), so a sender waiting on readiness never has more than one message queued
 * here beyond what gRPC itself counts. Order is kept: every message and the half-close of a call
 * go through the one loop while any is queued; a cancelled call's queued messages are dropped.
 * The loop is learnt from the connection when it opens ({@link #connected}); until then, and for
 * TLS hops, messages are framed on the caller's thread as before.
 *
 * <p>Opt-in ({@code -Dedgepipe.hop.framing=loop}): profiles show the two copies of the sender
 * cheaper by about a third, but under the load of session 9 the sender's CPU per GB in
 * {@code bench transport} did not change measurably, so the default stays the caller's thread
 * until a quiet A/B decides.
 */
final class FramingOnConnectionThread implements ClientInterceptor {
  /** Whether {@link Transport} installs it on socket hops. */
  static final boolean ENABLED = "loop".equals(System.getProperty("edgepipe.hop.framing"));

  private volatile Executor loop; // the event loop of the channel's latest connection

  /** Called by the connection's handler once it is in an event loop's pipeline. */
  void connected(Executor connectionLoop) {
    loop = connectionLoop;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new HandedOff<>(next.newCall(method, options));
  }

  private final class HandedOff<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {
    private final AtomicInteger queued = new AtomicInteger();
    private volatile Listener<R> listener;
    private volatile boolean cancelled;
    private Executor current; // the executor of the queued messages; changed only while none is queued

    HandedOff(ClientCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void start(Listener<R> responseListener, Metadata headers) {
      listener = responseListener;
      super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(responseListener) {
        @Override
        public void onReady() {
          if (queued.get() == 0) { // otherwise the hand-off tells it once the queue is framed
            super.onReady();
          }
        }
      }, headers);
    }

    @Override
    public void sendMessage(Q message) {
      run(() -> delegate().sendMessage(message));
    }

    @Override
    public void halfClose() {
      run(() -> delegate().halfClose());
    }

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = true;
      super.cancel(message, cause);
    }

    @Override
    public boolean isReady() {
      return queued.get() == 0 && super.isReady();
    }

    private void run(Runnable step) {
      if (queued.get() == 0) {
        current = loop; // nothing queued on the old one: switching cannot reorder
      }
      if (current == null) {
        step.run();
        return;
      }
      queued.incrementAndGet();
      try {
        current.execute(() -> framed(step));
      } catch (RejectedExecutionException loopGone) {
        framed(step);
      }
    }

    /** On the loop: one queued step, then readiness told once nothing is queued. */
    private void framed(Runnable step) {
      try {
        if (!cancelled) {
          step.run();
        }
      } catch (RuntimeException e) {
        delegate().cancel("failed to send on the connection's thread", e);
      } finally {
        if (queued.decrementAndGet() == 0 && !cancelled && delegate().isReady()) {
          listener.onReady();
        }
      }
    }
  }
}
