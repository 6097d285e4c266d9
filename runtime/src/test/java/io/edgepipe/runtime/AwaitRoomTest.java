package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.StageGrpc;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DownstreamClient#awaitRoom}: waits as {@code send} would, until the window has room, so a
 * source can read its next frame only then; never where the source drops a frame instead.
 */
class AwaitRoomTest {
  private final String name = "await-room-" + System.nanoTime();
  /** Frames the next hop has taken and not answered yet. */
  private final BlockingQueue<Frame> held = new LinkedBlockingQueue<>();
  private volatile StreamObserver<FrameAck> acks;
  private Server server;

  @BeforeEach
  void nextHopThatAnswersOnlyWhenTold() throws Exception {
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new StageGrpc.StageImplBase() {
      @Override
      public StreamObserver<Frame> stream(StreamObserver<FrameAck> responses) {
        acks = responses;
        return new StreamObserver<>() {
          @Override
          public void onNext(Frame f) {
            held.add(f);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            responses.onCompleted();
          }
        };
      }
    }).build().start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void reliableDeliveryWaitsUntilAnAnswerFreesAWindowPlace() throws Exception {
    DownstreamClient client = new DownstreamClient("source", InProcessChannelBuilder.forName(name).build(), true, false,
        ack -> {}, Delivery.RELIABLE, null, 2);
    try {
      client.send(TestFrames.f32("cam0", 0, 1, 2, 2));
      client.send(TestFrames.f32("cam0", 1, 1, 2, 2));
      Frame first = held.poll(5, TimeUnit.SECONDS);
      assertTrue(first != null && held.poll(5, TimeUnit.SECONDS) != null, "the next hop took both frames");

      CountDownLatch room = new CountDownLatch(1);
      Thread source = new Thread(() -> {
        client.awaitRoom();
        room.countDown();
      });
      source.start();
      assertFalse(room.await(300, TimeUnit.MILLISECONDS), "a window of 2 with 2 frames unanswered has no room");

      acks.onNext(FrameAck.newBuilder().setFlowId(first.getFlowId()).setSeq(first.getSeq()).build());
      assertTrue(room.await(5, TimeUnit.SECONDS), "the answer freed a place");
      source.join(5000);
    } finally {
      client.abort();
    }
  }

  @Test
  void aSourceInRealtimeDeliveryNeverWaits() throws Exception {
    BlockingQueue<Frame> dropped = new LinkedBlockingQueue<>();
    DownstreamClient client = new DownstreamClient("source", InProcessChannelBuilder.forName(name).build(), true, false,
        ack -> {}, Delivery.REALTIME, dropped::add, 1);
    try {
      client.send(TestFrames.f32("cam0", 0, 1, 2, 2));
      assertTrue(held.poll(5, TimeUnit.SECONDS) != null, "the next hop took the frame");
      assertTimeoutPreemptively(Duration.ofSeconds(5), client::awaitRoom, "a full window does not hold a realtime source");
      client.send(TestFrames.f32("cam0", 1, 1, 2, 2));
      assertTrue(dropped.poll(5, TimeUnit.SECONDS) != null, "its next frame is dropped at the source instead");
    } finally {
      client.abort();
    }
  }
}
