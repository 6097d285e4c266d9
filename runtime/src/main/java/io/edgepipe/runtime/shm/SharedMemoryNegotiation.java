package io.edgepipe.runtime.shm;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * How the two ends of a stream agree on shared memory when it opens. The sender names its new
 * ring in the request headers; a receiver that can map that file (same host, same /dev/shm)
 * maps it, unlinks it, and says so in the response headers, which it sends at once. Until the
 * sender has read that answer, and for good if it never comes (another host, an older
 * receiver), payloads travel inline.
 */
public final class SharedMemoryNegotiation {
  static final Metadata.Key<String> OFFER = Metadata.Key.of("edgepipe-shm-ring", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> ACCEPT = Metadata.Key.of("edgepipe-shm", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<SharedSlots> SLOTS = Context.key("edgepipe-shared-slots");

  private SharedMemoryNegotiation() {}

  /** The ring of the current incoming call, or null when its payloads come inline. */
  public static SharedSlots currentSlots() {
    return SLOTS.get();
  }

  /** Accepts offered rings on a server. */
  public static ServerInterceptor server() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        SharedSlots slots = headers.containsKey(OFFER) ? SharedSlots.open(headers.get(OFFER)) : null;
        if (slots == null) {
          return next.startCall(call, headers);
        }
        ServerCall<Q, R> accepting = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          private boolean headersSent;

          @Override
          public synchronized void sendHeaders(Metadata h) {
            if (!headersSent) { // sent once, at once below; the stub's later call is a no-op
              headersSent = true;
              h.put(ACCEPT, "mapped");
              super.sendHeaders(h);
            }
          }
        };
        accepting.sendHeaders(new Metadata());
        return Contexts.interceptCall(Context.current().withValue(SLOTS, slots), accepting, headers, next);
      }
    };
  }

  /** Offers {@code ringName} on every call of the channel it wraps; {@code accepted} runs if the receiver mapped it. */
  public static ClientInterceptor offer(String ringName, Runnable accepted) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(OFFER, ringName);
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onHeaders(Metadata h) {
                if ("mapped".equals(h.get(ACCEPT))) {
                  accepted.run();
                }
                super.onHeaders(h);
              }
            }, headers);
          }
        };
      }
    };
  }
}
