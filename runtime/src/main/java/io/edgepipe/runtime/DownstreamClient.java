package io.edgepipe.runtime;

import io.edgepipe.api.Delivery;
import io.edgepipe.api.LoopbackTarget;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.api.proto.SinkGrpc;
import io.edgepipe.api.proto.StageGrpc;
import io.edgepipe.runtime.shm.SharedMemoryNegotiation;
import io.edgepipe.runtime.shm.SharedRing;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The streaming client to the next hop.
 *
 * <p>Backpressure: {@link #send} waits while the stream is not ready (gRPC flow control) and
 * while its window of frames is unanswered ({@link HopWindow}: from the chain, about two frames
 * per service downstream), so a slow next stage slows this one and only a bounded number of
 * frames is ever in flight. Answers are matched to frames by (flow, seq), not by arrival order.
 *
 * <p>Faults: when the stream fails (the next stage died or restarts), the client reconnects
 * with exponential backoff (100 ms doubling to 2 s, no busy loop, one log line per state
 * change). What happens to unanswered frames is the {@link DeliveryPolicy}'s call: reliable
 * delivery keeps and re-sends them, in order, on the new stream; realtime delivery turns the
 * frames lost with the old stream, and those sent while the next hop is down, into tombstones
 * ("lost ...") that are sent once it is back, so the sink can still account for them.
 */
public final class DownstreamClient implements Downstream {
  private static final Logger log = Logger.getLogger(DownstreamClient.class.getName());

  /** Most frames sent but not yet answered, for a sender that does not know its place in a chain. */
  public static final int WINDOW = HopWindow.DEFAULT;
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 2_000;
  /**
   * Reconnects are driven by a timer, not only by the next send: with every frame unanswered the
   * sender may have nothing new to send, yet its unanswered frames must reach the next hop.
   */
  private static final java.util.concurrent.ScheduledExecutorService RECONNECTS =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "downstream-reconnect");
        t.setDaemon(true);
        return t;
      });
  /**
   * Whether a socket hop's answers are handled on the transport thread that read them
   * (-Dedgepipe.hop.callbacks=direct, the default) or handed to gRPC's executor first ({@code pool}).
   * Handling an answer only frees its window place and slot and answers upstream: nothing blocks
   * (the lock is held by a sender only while it hands a frame to the transport), so the hand-off
   * to another thread, a wake-up per frame, buys nothing. In-JVM hops keep the executor: there an
   * answer would run on the next stage's thread, inside its own locks.
   */
  private static final boolean DIRECT_CALLBACKS = !"pool".equals(System.getProperty("edgepipe.hop.callbacks"));
  /** Tombstones kept while the next hop is down; beyond this, losses are only counted here. */
  private static final int MAX_PENDING_TOMBSTONES = 100_000;

  private final String stage;
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final MethodDescriptor<Frame, FrameAck> method;
  private final Consumer<FrameAck> onErrorAck;
  private final DeliveryPolicy policy;
  private final int window;
  private final long sharedSlotBytes; // 0 = payloads always inline
  private final Consumer<Frame> localDrops; // realtime producer: where frames it cannot send are recorded
  private final Object lock = new Object();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong lostUncounted = new AtomicLong();
  private final AtomicLong sentShared = new AtomicLong();
  private final AtomicLong sentInPlace = new AtomicLong();

  // all guarded by lock
  private final Deque<InFlight> unanswered = new ArrayDeque<>();
  private final Deque<InFlight> pendingTombstones = new ArrayDeque<>();
  private ClientCallStreamObserver<Frame> stream;
  private Object streamToken; // identifies the current stream; callbacks of older ones are ignored
  private boolean connected;
  private SharedRing ring;        // the current stream's shared memory, offered when it opened
  private boolean ringAccepted;   // the next hop mapped it: payloads go through it
  private boolean closing;
  private long backoffMs = MIN_BACKOFF_MS;
  private long retryAtNanos;

  /** A frame owed an answer; {@code slot} >= 0 while its payload occupies a slot of {@code ring}. */
  private static final class InFlight {
    final Frame frame;
    final Runnable onAnswered;
    SharedRing ring;
    int slot = -1;

    InFlight(Frame frame, Runnable onAnswered) {
      this.frame = frame;
      this.onAnswered = onAnswered;
    }

    Frame frame() {
      return frame;
    }

    Runnable onAnswered() {
      return onAnswered;
    }

    /** Gives its slot back: answered, or its stream is gone (a re-send takes a new one). */
    void freeSlot() {
      if (slot >= 0) {
        ring.free(slot);
        slot = -1;
        ring = null;
      }
    }
  }

  /**
   * @param toSink     true when the next hop is the sink (Sink/Deliver), false for a stage (Stage/Stream)
   * @param onErrorAck called for every answer whose code is not OK
   */
  public DownstreamClient(String stage, ManagedChannel channel, boolean ownsChannel, boolean toSink,
      Consumer<FrameAck> onErrorAck) {
    this(stage, channel, ownsChannel, toSink, onErrorAck, Delivery.RELIABLE);
  }

  public DownstreamClient(String stage, ManagedChannel channel, boolean ownsChannel, boolean toSink,
      Consumer<FrameAck> onErrorAck, Delivery delivery) {
    this(stage, channel, ownsChannel, toSink, onErrorAck, delivery, null);
  }

  /**
   * @param localDrops for a realtime sender that must never wait (the producer: a camera does not
   *                   wait): a frame the next hop cannot take at once is dropped and its tombstone
   *                   handed here (the producer's own sink) instead of being queued
   */
  public DownstreamClient(String stage, ManagedChannel channel, boolean ownsChannel, boolean toSink,
      Consumer<FrameAck> onErrorAck, Delivery delivery, Consumer<Frame> localDrops) {
    this(stage, channel, ownsChannel, toSink, onErrorAck, delivery, localDrops, WINDOW);
  }

  /** @param window most frames unanswered at once ({@link HopWindow#forHop} for a hop of a chain) */
  public DownstreamClient(String stage, ManagedChannel channel, boolean ownsChannel, boolean toSink,
      Consumer<FrameAck> onErrorAck, Delivery delivery, Consumer<Frame> localDrops, int window) {
    this(stage, channel, ownsChannel, toSink, onErrorAck, delivery, localDrops, window, 0);
  }

  /**
   * @param sharedSlotBytes the hop's payload size: when the next hop is another process of this
   *                        host, payloads up to this size go through a shared-memory ring of
   *                        {@code window} slots instead of the socket (0 = always inline); offered
   *                        only when the channel's target is loopback ({@link LoopbackTarget})
   */
  public DownstreamClient(String stage, ManagedChannel channel, boolean ownsChannel, boolean toSink,
      Consumer<FrameAck> onErrorAck, Delivery delivery, Consumer<Frame> localDrops, int window, long sharedSlotBytes) {
    // shared memory only to another process behind this host's loopback (see LoopbackTarget)
    this.sharedSlotBytes = SameJvmHops.isInProcess(channel) || !LoopbackTarget.isLoopback(channel.authority())
        ? 0 : sharedSlotBytes;
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, not " + window);
    }
    this.window = window;
    this.localDrops = localDrops;
    this.stage = stage;
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.method = toSink ? SinkGrpc.getDeliverMethod() : StageGrpc.getStreamMethod();
    this.onErrorAck = onErrorAck;
    this.policy = DeliveryPolicy.of(delivery);
  }

  /** Most frames this client keeps unanswered. */
  public int window() {
    return window;
  }

  @Override
  public void send(Frame frame, Runnable onAnswered) {
    synchronized (lock) {
      try {
        sendLocked(frame, onAnswered);
      } finally {
        if (ring != null) {
          ring.release(frame.getData()); // an output reserved in the ring but not placed (dropped, failed)
        }
      }
    }
  }

  /** Waits as {@link #send} would before sending: not where send drops or loses the frame instead. */
  @Override
  public void awaitRoom() {
    if (dropsWhenBusy()) {
      return;
    }
    synchronized (lock) {
      if (!losesWhenDisconnected()) {
        awaitRoomLocked();
      }
    }
  }

  /** A source in realtime delivery: a frame the next hop cannot take at once is dropped, never waited for. */
  private boolean dropsWhenBusy() {
    return policy.sourceDropsWhenBusy() && localDrops != null;
  }

  /** A hop that does not wait for its next hop to come back, and has none now (lock held). */
  private boolean losesWhenDisconnected() {
    return !policy.waitsForNextHop() && !connectedOrConnecting();
  }

  @Override
  public SharedRing.Reservation reserveOutput(int bytes) {
    synchronized (lock) {
      return ringAccepted && ring != null ? ring.reserve(bytes) : null;
    }
  }

  private void sendLocked(Frame frame, Runnable onAnswered) {
    if (dropsWhenBusy()) {
      ensureStream();
      if (stream == null || !stream.isReady() || unanswered.size() >= window || !pendingTombstones.isEmpty()) {
        localDrops.accept(Tombstones.of(frame, (stream == null ? "next hop unavailable" : "next hop busy")
            + " after " + stage));
        if (onAnswered != null) {
          onAnswered.run();
        }
        return;
      }
    } else if (losesWhenDisconnected()) {
      lose(frame, "next hop unavailable", onAnswered); // answered once its tombstone is
      return;
    }
    awaitRoomLocked();
    if (closing) {
      throw new FrameRejectedException(Status.Code.UNAVAILABLE, stage + ": closing");
    }
    InFlight f = new InFlight(frame, onAnswered);
    unanswered.addLast(f);
    stream.onNext(onWire(f));
    sent.incrementAndGet();
  }

  /** Waits (lock held, released while waiting) until a stream is open, ready and the window has room. */
  private void awaitRoomLocked() {
    while (!closing) {
      ensureStream();
      if (stream != null && stream.isReady() && unanswered.size() < window) {
        return;
      }
      waitOnLock(waitBudgetMs());
    }
  }

  private boolean connectedOrConnecting() {
    ensureStream();
    return stream != null;
  }

  /** Opens a stream if there is none and the backoff allows it. */
  private void ensureStream() {
    if (stream != null || closing || System.nanoTime() < retryAtNanos) {
      return;
    }
    Object token = new Object();
    streamToken = token;
    openRing(token);
    ClientResponseObserver<Frame, FrameAck> responses = new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<Frame> requests) {
        requests.setOnReadyHandler(() -> onReady(token));
      }

      @Override
      public void onNext(FrameAck ack) {
        answered(token, ack);
      }

      @Override
      public void onError(Throwable t) {
        failed(token, Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        failed(token, Status.UNAVAILABLE.withDescription("next hop closed the stream"));
      }
    };
    // The stream is opened from an incoming call's thread; forking the context keeps it from
    // inheriting that call's cancellation (the outgoing stream outlives any one upstream stream).
    Context previous = Context.current().fork().attach();
    ClientCallStreamObserver<Frame> opened;
    try {
      io.grpc.Channel via = ring == null ? channel
          : io.grpc.ClientInterceptors.intercept(channel, SharedMemoryNegotiation.offer(ring.name(), () -> ringAccepted(token)));
      CallOptions options = CallOptions.DEFAULT.withOnReadyThreshold(Transport.ON_READY_THRESHOLD);
      if (DIRECT_CALLBACKS && !SameJvmHops.isInProcess(channel)) {
        options = options.withExecutor(Runnable::run);
      }
      opened = (ClientCallStreamObserver<Frame>) ClientCalls.asyncBidiStreamingCall(via.newCall(method, options), responses);
    } finally {
      Context.current().detach(previous);
    }
    if (token != streamToken) {
      return; // with direct callbacks a stream that fails at once (next hop down) has already been handled here
    }
    stream = opened;
    // what the previous stream left unanswered goes first, in order
    for (InFlight f : unanswered) {
      stream.onNext(onWire(f));
    }
  }

  /** A fresh ring for a new stream, offered to the next hop (each stream has its own). */
  private void openRing(Object token) {
    closeRing();
    if (sharedSlotBytes > 0) {
      // a slot per unanswered frame, and one for the output being computed while the window is full
      ring = SharedRing.create(window + 1, sharedSlotBytes);
    }
  }

  private void ringAccepted(Object token) {
    synchronized (lock) {
      if (token == streamToken && ring != null) {
        ringAccepted = true;
      }
    }
  }

  /** The frame as it goes on the wire: its payload moved into a shared slot when agreed and one is free. */
  private Frame onWire(InFlight f) {
    f.freeSlot();
    if (ringAccepted && ring != null) {
      SharedRing.Placed placed = ring.place(f.frame());
      if (placed != null) {
        f.ring = ring;
        f.slot = placed.slot();
        sentShared.incrementAndGet();
        if (placed.inPlace()) {
          sentInPlace.incrementAndGet();
        }
        return placed.frame();
      }
    }
    return f.frame();
  }

  private void closeRing() {
    if (ring != null) {
      for (InFlight f : unanswered) {
        f.freeSlot();
      }
      ring.close();
      ring = null;
    }
    ringAccepted = false;
  }

  private void onReady(Object token) {
    synchronized (lock) {
      if (token != streamToken) {
        return;
      }
      if (!connected) {
        connected = true;
        if (backoffMs > MIN_BACKOFF_MS) {
          log.info(stage + ": reconnected to the next hop; re-sent " + unanswered.size()
              + " unanswered frame(s), " + pendingTombstones.size() + " tombstone(s) to follow");
        }
        backoffMs = MIN_BACKOFF_MS;
      }
      flushTombstones();
      lock.notifyAll();
    }
  }

  private void answered(Object token, FrameAck ack) {
    Runnable callback = null;
    synchronized (lock) {
      if (token != streamToken) {
        return;
      }
      acked.incrementAndGet();
      InFlight answeredFrame = takeMatching(ack);
      if (answeredFrame != null) {
        answeredFrame.freeSlot(); // the next hop is done with the payload
        callback = answeredFrame.onAnswered();
      }
      lock.notifyAll();
    }
    if (ack.getCode() != 0) {
      onErrorAck.accept(ack);
    }
    if (callback != null) {
      callback.run();
    }
  }

  /**
   * The unanswered frame {@code ack} answers: the oldest with its (flow, seq), as the proto's
   * contract says (a refusal can overtake frames still in custody further down). An ack that
   * matches nothing is a broken next hop; the oldest frame is taken so the window cannot leak.
   */
  private InFlight takeMatching(FrameAck ack) {
    for (java.util.Iterator<InFlight> it = unanswered.iterator(); it.hasNext(); ) {
      InFlight f = it.next();
      if (f.frame().getSeq() == ack.getSeq()
          && Tombstones.truncatedFlowId(f.frame().getFlowId()).equals(ack.getFlowId())) {
        it.remove();
        return f;
      }
    }
    if (!unanswered.isEmpty()) {
      log.warning(stage + ": next hop answered " + ack.getFlowId() + "/" + ack.getSeq()
          + ", which is not among the unanswered frames; taking the oldest");
    }
    return unanswered.pollFirst();
  }

  private void failed(Object token, Status status) {
    synchronized (lock) {
      if (token != streamToken) {
        return;
      }
      stream = null;
      streamToken = null;
      closeRing(); // unanswered frames keep their own payloads and take new slots when re-sent
      boolean wasConnected = connected;
      connected = false;
      if (closing) {
        lock.notifyAll();
        return;
      }
      if (wasConnected || backoffMs == MIN_BACKOFF_MS) {
        log.warning(stage + ": stream to the next hop failed (" + status.getCode()
            + (status.getDescription() != null ? ": " + status.getDescription() : "")
            + "); reconnecting with backoff, " + unanswered.size() + " frame(s) unanswered");
      }
      if (!policy.resendsAfterReconnect()) {
        // realtime does not re-send: what was in flight is reported lost, and its sender is
        // answered only once that report has been taken by the next hop
        for (InFlight f : unanswered) {
          lose(f.frame(), "lost in flight to the next hop", f.onAnswered());
        }
        unanswered.clear();
      }
      retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
      RECONNECTS.schedule(this::reconnectIfOwed, backoffMs, TimeUnit.MILLISECONDS);
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      channel.resetConnectBackoff();
      lock.notifyAll();
    }
  }

  /** Opens a new stream when frames or tombstones are still owed to the next hop. */
  private void reconnectIfOwed() {
    synchronized (lock) {
      if (stream == null && !closing && (!unanswered.isEmpty() || !pendingTombstones.isEmpty())) {
        ensureStream();
        lock.notifyAll();
      }
    }
  }

  /**
   * Records a frame that will not reach the next hop as a tombstone to send when it can; the
   * frame's sender is answered when the tombstone is, so a crash here cannot lose the record.
   */
  private void lose(Frame frame, String reason, Runnable onAnswered) {
    Frame tombstone = Tombstones.of(frame, reason + " after " + stage);
    if (pendingTombstones.size() < MAX_PENDING_TOMBSTONES) {
      pendingTombstones.addLast(new InFlight(tombstone, onAnswered));
    } else {
      lostUncounted.incrementAndGet(); // bounded memory wins over accounting in a long outage
      if (onAnswered != null) {
        onAnswered.run();
      }
    }
  }

  private void flushTombstones() {
    while (!pendingTombstones.isEmpty() && stream != null && stream.isReady() && unanswered.size() < window) {
      InFlight t = pendingTombstones.pollFirst();
      unanswered.addLast(t);
      stream.onNext(onWire(t));
    }
  }

  private long waitBudgetMs() {
    if (stream == null && retryAtNanos > 0) {
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(retryAtNanos - System.nanoTime()));
    }
    return 1_000;
  }

  private void waitOnLock(long ms) {
    try {
      lock.wait(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FrameRejectedException(Status.Code.CANCELLED, stage + ": interrupted while sending");
    }
  }

  public long sent() {
    return sent.get();
  }

  public long acked() {
    return acked.get();
  }

  /** Frames whose payload went through shared memory rather than the socket. */
  public long sentShared() {
    return sentShared.get();
  }

  /** Of {@link #sentShared}, those computed straight into their slot ({@link #reserveOutput}): no copy. */
  public long sentInPlace() {
    return sentInPlace.get();
  }

  /** Frames lost while the next hop was down beyond what could be kept as tombstones. */
  public long lostUncounted() {
    return lostUncounted.get();
  }

  @Override
  public void abort() {
    synchronized (lock) {
      closing = true;
      closeRing();
      lock.notifyAll();
    }
    channel.shutdownNow();
  }

  /**
   * Waits (up to 60 s) until every frame and tombstone has been answered, reconnecting as
   * needed, then half-closes the stream and disconnects.
   */
  @Override
  public void close() {
    synchronized (lock) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((!unanswered.isEmpty() || !pendingTombstones.isEmpty()) && System.nanoTime() < deadline) {
        ensureStream();
        flushTombstones();
        waitOnLock(Math.min(200, waitBudgetMs()));
      }
      if (!unanswered.isEmpty() || !pendingTombstones.isEmpty()) {
        log.warning(stage + ": closing with " + unanswered.size() + " frame(s) unanswered and "
            + pendingTombstones.size() + " tombstone(s) unsent");
      }
      closing = true;
      if (stream != null) {
        ClientCallStreamObserver<Frame> s = stream;
        Object token = streamToken;
        s.onCompleted();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (streamToken == token && System.nanoTime() < end) {
          waitOnLock(100);
        }
      }
      closeRing();
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
