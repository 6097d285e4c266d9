package io.edgepipe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Same-JVM hops by reference, acks matched by (flow, seq), and windows from the chain. */
class DataPlaneContractTest {
  private static final long LIMIT = 64L << 20;

  @Test
  void aHopInsideOneJvmPassesThePayloadByReference() throws Exception {
    List<Frame> received = new CopyOnWriteArrayList<>();
    FrameHandler h = new FrameHandler("sink", "test", new FrameValidator(LIMIT), in -> {
      received.add(in);
      return null;
    }, null, new StageMetrics("sink"));
    FrameServer sink = new FrameServer("sink", "127.0.0.1", 0, -1, LIMIT, new StageService(h), h, null).start();
    Frame sent = TestFrames.f32("cam", 0, 3, 720, 1280);
    DownstreamClient client = new DownstreamClient("test", Transport.channel("127.0.0.1:" + sink.port(), LIMIT),
        true, false, ack -> {});
    try {
      client.send(sent);
      client.close();
    } finally {
      sink.stop(5, TimeUnit.SECONDS);
    }
    assertEquals(1, received.size());
    assertSame(sent.getData(), received.get(0).getData(), "the 11 MB payload was copied on a same-JVM hop");
  }

  /**
   * A refused frame is answered at once, while good frames sent before it wait for custody at a
   * slow next hop: the refusal overtakes them. Each answer must still settle its own frame: a
   * good frame's sender is told only once the next hop has the frame.
   */
  @Test
  void answersThatOvertakeEachOtherSettleTheirOwnFrames() throws Exception {
    Set<Long> atNextHop = ConcurrentHashMap.newKeySet();
    FrameHandler nextHandler = new FrameHandler("slow", "test", new FrameValidator(LIMIT), in -> {
      sleep(30);
      atNextHop.add(in.getSeq());
      return null;
    }, null, new StageMetrics("slow"));
    FrameServer next = new FrameServer("slow", "127.0.0.1", 0, -1, LIMIT, new StageService(nextHandler),
        nextHandler, null).start();
    DownstreamClient toNext = new DownstreamClient("odd", Transport.channel("127.0.0.1:" + next.port(), LIMIT),
        true, false, ack -> {});
    FrameHandler h = new FrameHandler("odd", "test", new FrameValidator(LIMIT), in -> {
      if (in.getSeq() % 2 == 1) {
        throw new FrameRejectedException(Status.Code.INVALID_ARGUMENT, "odd frames are refused");
      }
      return Frame.newBuilder().setDtype(in.getDtype()).setShape(in.getShape()).setData(in.getData());
    }, toNext, new StageMetrics("odd"));
    FrameServer stage = new FrameServer("odd", "127.0.0.1", 0, -1, LIMIT, new StageService(h), h, toNext).start();
    List<String> early = new CopyOnWriteArrayList<>();
    List<Long> settled = new CopyOnWriteArrayList<>();
    DownstreamClient client = new DownstreamClient("test", Transport.channel("127.0.0.1:" + stage.port(), LIMIT),
        true, false, ack -> {});
    try {
      for (long seq = 0; seq < 40; seq++) {
        long s = seq;
        client.send(TestFrames.f32("cam", seq, 1, 8, 8), () -> {
          settled.add(s);
          if (s % 2 == 0 && !atNextHop.contains(s)) {
            early.add("frame " + s + " settled before the next hop had it");
          }
        });
      }
      client.close();
    } finally {
      stage.stop(5, TimeUnit.SECONDS);
      next.stop(5, TimeUnit.SECONDS);
    }
    assertEquals(40, settled.size());
    assertEquals(40, Set.copyOf(settled).size(), "each frame settled once");
    assertTrue(early.isEmpty(), early.toString());
  }

  /**
   * Over a socket a hop's answers are handled on the transport thread that read them; while the
   * next hop is down its streams fail, the later attempts at once, inside the call that opens
   * them. The frame must still wait for the next hop and reach it once it is up.
   */
  @Test
  void aFrameSentWhileTheNextHopIsDownReachesItOnceItIsUp() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<Long> received = new CopyOnWriteArrayList<>();
    FrameHandler h = new FrameHandler("late", "test", new FrameValidator(LIMIT), in -> {
      received.add(in.getSeq());
      return null;
    }, null, new StageMetrics("late"));
    DownstreamClient client = new DownstreamClient("test", Transport.socketChannel("127.0.0.1:" + port, LIMIT, null),
        true, false, ack -> {});
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    Thread sender = new Thread(() -> client.send(TestFrames.f32("cam", 7, 1, 8, 8), answered::countDown));
    sender.start();
    Thread.sleep(1_500); // the next hop is down: a few attempts fail (backoff 100, 200, 400, 800 ms)
    assertEquals(1, answered.getCount(), "answered while the next hop was down");
    FrameServer late = new FrameServer("late", "127.0.0.1", port, -1, LIMIT, new StageService(h), h, null).start();
    try {
      assertTrue(answered.await(15, TimeUnit.SECONDS), "the frame never reached the next hop once it was up");
      client.close();
    } finally {
      late.stop(5, TimeUnit.SECONDS);
    }
    sender.join(5_000);
    assertEquals(List.of(7L), received);
  }

  @Test
  void theWindowOfEachHopCoversTheServicesAfterIt() {
    PipelineSpec spec = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));
    // conv, relu, maxpool and the sink after the producer's hop; the sink alone after maxpool's:
    // one frame per service
    assertEquals(List.of(4, 3, 2, 1), List.of(HopWindow.forHop(spec, 0), HopWindow.forHop(spec, 1),
        HopWindow.forHop(spec, 2), HopWindow.forHop(spec, 3)));
    assertEquals(4, HopWindow.frames(4, 128L << 20), "4 frames of 128 MiB: within the 512 MiB budget");
    assertEquals(2, HopWindow.frames(2, 1L << 30), "never less than one frame per service downstream");
  }

  @Test
  void aChainAcrossHostsKeepsAFrameInTransitPerHop() {
    int transit = io.edgepipe.api.HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS;
    // the thesis chain's hops across hosts: 5, 4, 3, 2 (one host: 4, 3, 2, 1)
    assertEquals(List.of(5, 4, 3, 2), List.of(4, 3, 2, 1).stream()
        .map(services -> io.edgepipe.api.HopBudget.frames(services, 921_600, 512L << 20, 0, transit)).toList());
    assertEquals("-Dedgepipe.window.transit=1", io.edgepipe.api.HopBudget.transitAcrossHostsOption());
    // containers set it through the environment
    assertEquals(1, HopWindow.inTransitFromEnvironment("1"));
    assertEquals(io.edgepipe.api.HopBudget.FRAMES_IN_TRANSIT, HopWindow.inTransitFromEnvironment(null));
    assertEquals(io.edgepipe.api.HopBudget.FRAMES_IN_TRANSIT, HopWindow.inTransitFromEnvironment(" "));
    IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> HopWindow.inTransitFromEnvironment("one"));
    assertTrue(bad.getMessage().contains("EDGEPIPE_WINDOW_TRANSIT"), bad.getMessage());
  }

  @Test
  void aLinkWithDelayAddsTheFramesItsBandwidthDelayProductHolds() {
    long oneGbitFiveMs = io.edgepipe.api.HopBudget.linkBytes(1_000_000_000L, java.time.Duration.ofMillis(5));
    assertEquals(1_250_000, oneGbitFiveMs, "1 Gbit/s x 10 ms round trip");
    // the thesis chain's first hop: 921,600-byte frames, 4 services after it
    assertEquals(4, io.edgepipe.api.HopBudget.frames(4, 921_600, 512L << 20, 0));
    assertEquals(6, io.edgepipe.api.HopBudget.frames(4, 921_600, 512L << 20, oneGbitFiveMs), "2 frames on the link");
    // 100 Mbit/s with the same delay holds a tenth of that: one frame more
    long hundredMbit = io.edgepipe.api.HopBudget.linkBytes(100_000_000L, java.time.Duration.ofMillis(5));
    assertEquals(5, io.edgepipe.api.HopBudget.frames(4, 921_600, 512L << 20, hundredMbit));
    assertEquals(4, io.edgepipe.api.HopBudget.frames(4, 128L << 20, 512L << 20, oneGbitFiveMs), "the byte budget still caps");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
