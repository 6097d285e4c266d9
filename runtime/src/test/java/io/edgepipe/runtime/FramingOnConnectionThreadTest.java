package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The hand-off of a hop's messages to its connection's thread, against a recording call: where
 * and in which order messages reach the transport, and what the sender is told about readiness.
 */
class FramingOnConnectionThreadTest {
  private static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING).setFullMethodName("test/Stream")
      .setRequestMarshaller(new Text()).setResponseMarshaller(new Text()).build();

  @Test
  void messagesAreFramedOnTheConnectionThreadInOrderAndReadinessWaitsForThem() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "connection-loop"));
    try {
      Recording transport = new Recording();
      FramingOnConnectionThread framing = new FramingOnConnectionThread();
      framing.connected(loop);
      ClientCall<String, String> call = framing.interceptCall(METHOD, CallOptions.DEFAULT, transport);
      AtomicInteger readySignals = new AtomicInteger();
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onReady() {
          readySignals.incrementAndGet();
        }
      }, new Metadata());

      CountDownLatch hold = new CountDownLatch(1);
      loop.execute(() -> await(hold)); // the loop is busy: what is handed off now stays queued
      call.sendMessage("a");
      assertFalse(call.isReady(), "a queued message must make the call not ready");
      transport.listener.onReady(); // the transport's own signal comes while "a" is still queued
      assertEquals(0, readySignals.get(), "readiness while a message is queued is held back");
      call.sendMessage("b");
      call.halfClose();
      hold.countDown();
      drain(loop);

      assertEquals(List.of("a", "b", "halfClose"), transport.steps);
      assertEquals(List.of("connection-loop"), transport.threads.stream().distinct().toList());
      assertTrue(call.isReady());
      assertEquals(1, readySignals.get(), "the sender is told once the queue is framed");
    } finally {
      loop.shutdownNow();
    }
  }

  @Test
  void beforeTheConnectionIsUpMessagesAreFramedOnTheCallersThread() {
    Recording transport = new Recording();
    ClientCall<String, String> call = new FramingOnConnectionThread().interceptCall(METHOD, CallOptions.DEFAULT, transport);
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.sendMessage("a");
    assertEquals(List.of("a"), transport.steps);
    assertEquals(List.of(Thread.currentThread().getName()), transport.threads);
  }

  @Test
  void aCancelledCallDropsWhatIsStillQueued() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor();
    try {
      Recording transport = new Recording();
      FramingOnConnectionThread framing = new FramingOnConnectionThread();
      framing.connected(loop);
      ClientCall<String, String> call = framing.interceptCall(METHOD, CallOptions.DEFAULT, transport);
      call.start(new ClientCall.Listener<>() {}, new Metadata());
      CountDownLatch hold = new CountDownLatch(1);
      loop.execute(() -> await(hold));
      call.sendMessage("a");
      call.cancel("test", null);
      hold.countDown();
      drain(loop);
      assertEquals(List.of("cancel"), transport.steps);
    } finally {
      loop.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void drain(ExecutorService loop) throws Exception {
    loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
  }

  /** A transport that records each step of its one call, and on which thread it came. */
  private static final class Recording extends Channel {
    final List<String> steps = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    volatile ClientCall.Listener<String> listener;

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
      return new ClientCall<>() {
        @Override
        @SuppressWarnings("unchecked")
        public void start(Listener<R> responseListener, Metadata headers) {
          listener = (Listener<String>) responseListener;
        }

        @Override
        public void request(int numMessages) {}

        @Override
        public void cancel(String message, Throwable cause) {
          steps.add("cancel");
        }

        @Override
        public void halfClose() {
          record("halfClose");
        }

        @Override
        public void sendMessage(Q message) {
          record(String.valueOf(message));
        }

        @Override
        public boolean isReady() {
          return true;
        }
      };
    }

    private void record(String step) {
      steps.add(step);
      threads.add(Thread.currentThread().getName());
    }

    @Override
    public String authority() {
      return "test";
    }
  }

  private static final class Text implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      throw new UnsupportedOperationException();
    }
  }
}
