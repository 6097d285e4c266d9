package io.edgepipe.runtime;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.FrameAck;
import io.edgepipe.runtime.shm.SharedMemoryNegotiation;
import io.edgepipe.runtime.shm.SharedSlots;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of a frame stream.
 *
 * <p>Frames are read with manual flow control in both delivery modes: the next frame is
 * requested from the sender only while this stream has fewer than {@link #MAX_PENDING} frames
 * unanswered and its answers can be written ({@code isReady}). A sender that never reads its
 * answers therefore stops being read: its frames wait in gRPC's window, its own sends block,
 * and the stage's memory does not grow with what it sends.
 *
 * <p>Reliable delivery: a frame is requested only when the previous one has been processed and
 * forwarded, plus {@link #PREFETCH} read ahead so receiving overlaps computing; a slow next hop
 * stops this stage from reading, and backpressure travels up the chain. Answers go back when
 * the next hop has answered.
 *
 * <p>Realtime delivery: frames are read as they come into the stage's bounded
 * {@link StageInbox}, which drops the oldest when the stage falls behind.
 *
 * <p>A frame's payload may borrow the transport's buffers ({@link FrameMarshalling}), released
 * once the frame has been handled, or lie in the sender's shared-memory ring ({@link SharedSlots}),
 * read in place until the frame is answered, or (a hop in this JVM) be an output its sender lends
 * until answered ({@link LentOutputs}); any of them is copied first when the processor keeps its
 * input.
 *
 * <p>Either way, when the sender half-closes, the stream is completed once every frame of it has
 * been answered: that is the graceful drain.
 */
public final class FrameStreamEndpoint implements StreamObserver<Frame> {
  private static final Logger log = Logger.getLogger(FrameStreamEndpoint.class.getName());

  /** Frames read ahead of the one being processed (reliable delivery). */
  static final int PREFETCH = 1;
  /**
   * Most frames one stream may have unanswered before this stage stops reading it. Well above
   * any custody window of a chain ({@link HopWindow}), so it binds only a sender that ignores
   * its window or its answers (-Dedgepipe.stream.pending=N).
   */
  static final int MAX_PENDING = Integer.getInteger("edgepipe.stream.pending", 256);

  private final FrameHandler handler;
  private final StageInbox inbox; // realtime only
  private final ServerCallStreamObserver<FrameAck> acks;
  private final int readAhead;
  private final SharedSlots sharedSlots; // the sender's ring when it agreed on shared memory, else null
  private final Object ackLock = new Object();
  private int unanswered;      // guarded by ackLock
  private int requested;       // frames asked of the sender and not yet delivered, guarded by ackLock
  private boolean halfClosed;  // guarded by ackLock
  private boolean done;        // guarded by ackLock

  private FrameStreamEndpoint(FrameHandler handler, StageInbox inbox, ServerCallStreamObserver<FrameAck> acks) {
    this.handler = handler;
    this.inbox = inbox;
    this.acks = acks;
    this.readAhead = 1 + PREFETCH;
    this.sharedSlots = SharedMemoryNegotiation.currentSlots();
  }

  /** Binds a new incoming stream to the handler; returns the observer gRPC delivers frames to. */
  public static StreamObserver<Frame> open(FrameHandler handler, StreamObserver<FrameAck> responses) {
    ServerCallStreamObserver<FrameAck> acks = (ServerCallStreamObserver<FrameAck>) responses;
    FrameStreamEndpoint endpoint = new FrameStreamEndpoint(handler, handler.inbox(), acks);
    acks.disableAutoRequest();
    acks.setOnReadyHandler(endpoint::requestMore); // answers can be written again: read on
    endpoint.requestMore();
    return endpoint;
  }

  @Override
  public void onNext(Frame received) {
    synchronized (ackLock) {
      unanswered++;
    }
    Runnable release = FrameMarshalling.takeRelease(received);
    Frame frame = received;
    boolean borrowed = release != null;
    if (received.hasShared() && sharedSlots != null) {
      frame = sharedSlots.resolve(received); // read in place; the sender keeps the slot until answered
      borrowed = !frame.hasShared();
    }
    // a same-JVM hop's frame comes by reference: its payload may be memory its sender lends until answered
    borrowed |= LentOutputs.isLent(frame.getData());
    if (borrowed && handler.processorKeepsInput()) {
      frame = FrameMarshalling.ownedCopy(frame); // the processor keeps it: no borrowed bytes
      if (release != null) {
        release.run();
        release = null;
      }
    }
    if (inbox != null) {
      inbox.offer(frame, this::answer, release);
    } else {
      try {
        handler.handle(frame, this::answer);
      } finally {
        if (release != null) {
          release.run(); // computed and forwarded: the input's buffers are no longer read
        }
      }
    }
    synchronized (ackLock) {
      requested--; // counted until handled, so reliable reads exactly PREFETCH ahead of compute
    }
    requestMore();
  }

  /** Asks the sender for more frames while this stream is under its bounds. */
  private void requestMore() {
    int more = 0;
    synchronized (ackLock) {
      while (!done && requested < readAhead && unanswered + requested < MAX_PENDING && acks.isReady()) {
        requested++;
        more++;
      }
    }
    if (more > 0) {
      acks.request(more);
    }
  }

  private void answer(FrameAck ack) {
    synchronized (ackLock) {
      if (done) {
        return;
      }
      if (!acks.isCancelled()) {
        acks.onNext(ack);
      }
      unanswered--;
      completeIfDrained();
    }
    requestMore();
  }

  private void completeIfDrained() {
    if (halfClosed && unanswered == 0 && !done) {
      done = true;
      if (!acks.isCancelled()) {
        acks.onCompleted();
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() != Status.Code.CANCELLED) {
      log.log(Level.INFO, handler.stage() + ": upstream stream ended with " + status);
    }
    synchronized (ackLock) {
      done = true; // the sender is gone; answers still pending have nobody to go to
    }
  }

  @Override
  public void onCompleted() {
    synchronized (ackLock) {
      halfClosed = true;
      completeIfDrained();
    }
  }
}
