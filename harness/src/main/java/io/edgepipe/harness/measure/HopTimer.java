package io.edgepipe.harness.measure;

import io.edgepipe.api.FrameValidator;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.runtime.DownstreamClient;
import io.edgepipe.runtime.FrameHandler;
import io.edgepipe.runtime.FrameServer;
import io.edgepipe.runtime.StageMetrics;
import io.edgepipe.runtime.StageService;
import io.edgepipe.runtime.Transport;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Time to move one frame over a gRPC hop, as the runtime moves it (streaming client with flow
 * control, server parsing every frame, one ack each): after warm-up frames, frames are streamed
 * back to back and the clock stops when the last is acknowledged, so the figure is the
 * per-frame cost of a busy hop. One receiver is kept for all measurements of a session.
 */
public final class HopTimer implements AutoCloseable {
  private final String target;
  private final boolean toSink;
  private final FrameServer localReceiver; // null when timing a remote peer
  private final ManagedChannel channel;    // one connection for every measurement

  private HopTimer(String target, boolean toSink, long maxBytes, FrameServer localReceiver) {
    this.target = target;
    this.toSink = toSink;
    this.localReceiver = localReceiver;
    // always the socket: a hop timer measures the network path, even to a receiver in this JVM
    this.channel = Transport.socketChannel(target, maxBytes, null);
  }

  /** Over loopback to a receiver in this JVM that parses and drops each frame, on gRPC's executor as a stage does. */
  public static HopTimer loopback(long maxFrameBytes) {
    return loopback(maxFrameBytes, false);
  }

  /**
   * As {@link #loopback(long)}; with {@code onTransportThread} the receiver handles each frame on
   * the transport thread that read it, as the sink does ({@link FrameServer#handleOnTransportThread}):
   * it never waits, so no hand-off to gRPC's executor and back per frame.
   */
  public static HopTimer loopback(long maxFrameBytes, boolean onTransportThread) {
    long maxBytes = maxFrameBytes + (1L << 20);
    FrameServer server = dropReceiver("127.0.0.1", 0, maxBytes, new java.util.concurrent.atomic.LongAdder(),
        onTransportThread);
    return new HopTimer("127.0.0.1:" + server.port(), false, maxBytes, server);
  }

  /**
   * A started receiver on {@code bind:port} (0: any free port) that parses each frame, counts it
   * in {@code received} and drops it, acking as a stage does.
   */
  public static FrameServer dropReceiver(String bind, int port, long maxBytes,
      java.util.concurrent.atomic.LongAdder received) {
    return dropReceiver(bind, port, maxBytes, received, false);
  }

  /** As {@link #dropReceiver(String, int, long, java.util.concurrent.atomic.LongAdder)}, on the transport thread when asked. */
  static FrameServer dropReceiver(String bind, int port, long maxBytes,
      java.util.concurrent.atomic.LongAdder received, boolean onTransportThread) {
    // reads nothing of the payload, so it is parsed in place off the transport's buffers (no copy)
    FrameHandler handler = new FrameHandler("hop-timer", "local", new FrameValidator(maxBytes),
        io.edgepipe.runtime.FrameProcessor.readingInPlace(in -> {
          received.increment();
          return null;
        }), null, new StageMetrics("hop-timer"));
    FrameServer server = new FrameServer("hop-timer", bind, port, -1, maxBytes, new StageService(handler), handler, null);
    if (onTransportThread) {
      server.handleOnTransportThread();
    }
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return server;
  }

  /** To a {@link #dropReceiver} in another process, e.g. on the other side of the testbed's link. */
  public static HopTimer toReceiver(String target, long maxFrameBytes) {
    return new HopTimer(target, false, maxFrameBytes + (1L << 20), null);
  }

  /** To a sink running on another host ({@code pipeline stage sink --port P}): a real link. */
  public static HopTimer toSink(String target, long maxFrameBytes) {
    return new HopTimer(target, true, maxFrameBytes + (1L << 20), null);
  }

  /**
   * Wall time and CPU time per frame of a busy hop.
   *
   * @param ms    wall milliseconds per frame, frames streamed back to back
   * @param cpuMs CPU milliseconds per frame this process spent meanwhile (every thread: for a
   *              loopback hop that is both ends, serialising, framing, parsing and acking)
   */
  public record Measurement(double ms, double cpuMs) {}

  /** A frame as hop {@code hop} of {@code spec} carries it: its shape and element type, with a realistic header. */
  public static Frame sampleFrame(io.edgepipe.api.PipelineSpec spec, int hop, String flowId) {
    io.edgepipe.api.TensorShape shape = spec.shapes().get(hop);
    return Frame.newBuilder().setFlowId(flowId).setDtype(spec.hopTypes().get(hop)).setShape(shape.toProto())
        .setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(
            ComputeTimer.payload(shape, spec.hopTypes().get(hop)).array()))
        .build();
  }

  /** A frame of {@code bytes} of payload (rounded down to whole f32 elements, at least one). */
  public static Frame sizedFrame(long bytes, String flowId) {
    io.edgepipe.api.TensorShape shape = new io.edgepipe.api.TensorShape(1, 1, (int) Math.max(1, bytes / 4));
    return Frame.newBuilder().setFlowId(flowId).setDtype(io.edgepipe.api.proto.DType.F32).setShape(shape.toProto())
        .setData(com.google.protobuf.UnsafeByteOperations.unsafeWrap(
            ComputeTimer.payload(shape, io.edgepipe.api.proto.DType.F32).array()))
        .build();
  }

  public double msPerFrame(Frame frame, int warmup, int frames) {
    return measure(frame, warmup, frames).ms();
  }

  public Measurement measure(Frame frame, int warmup, int frames) {
    stream(frame, warmup);
    long cpu0 = processCpuNanos();
    long start = System.nanoTime();
    stream(frame, frames);
    long wall = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpu0;
    return new Measurement(wall / 1e6 / frames, cpu < 0 ? Double.NaN : cpu / 1e6 / frames);
  }

  /** CPU time of this whole process so far (10 ms ticks on Linux), or -1 where the JVM cannot tell. */
  public static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * {@code frames} frames, one every {@code periodNanos} (back to back while the sender is
   * behind), the clock stopping when the last is acknowledged; wall ms per frame, CPU not taken.
   */
  public double pacedMsPerFrame(Frame frame, int frames, long periodNanos) {
    long start = System.nanoTime();
    stream(frame, frames, start, periodNanos);
    return (System.nanoTime() - start) / 1e6 / frames;
  }

  private void stream(Frame frame, int frames) {
    stream(frame, frames, 0, 0);
  }

  private void stream(Frame frame, int frames, long start, long periodNanos) {
    DownstreamClient client = new DownstreamClient("hop-timer", channel, false, toSink,
        ack -> { throw new IllegalStateException("frame refused by " + target + ": " + ack.getMessage()); });
    for (int i = 0; i < frames; i++) {
      long due = start + i * periodNanos;
      while (periodNanos > 0 && System.nanoTime() < due) {
        java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
      }
      client.send(frame.toBuilder().setSeq(i).build());
    }
    client.close(); // returns once every frame is acknowledged
    if (client.acked() != frames) {
      throw new IllegalStateException(target + " acknowledged " + client.acked() + " of " + frames + " frames");
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    if (localReceiver != null) {
      try {
        localReceiver.stop(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
