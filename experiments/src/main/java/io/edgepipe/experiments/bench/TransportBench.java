package io.edgepipe.experiments.bench;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import io.edgepipe.harness.measure.HopTimer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * One gRPC hop (the runtime's own streaming client and server, with flow control and acks, the
 * receiver parsing in place off Netty's buffers) against a raw TCP socket moving the same payload
 * bytes over loopback. The gRPC receiver handles each frame on the transport thread that read it,
 * as the sink does ({@code FrameServer.handleOnTransportThread}): it parses and drops the frame and
 * never waits, like raw's receiver thread; a stage, whose handler waits on compute and on its next
 * hop, hands every frame to gRPC's executor instead (-Dedgepipe.server.executor=pool measures
 * that). Both receivers take every message off the wire; both senders stop the clock when the
 * receiver has confirmed the last one.
 *
 * <p>The two do the same work with the bytes: each sender hands the socket a heap array (the
 * frame's payload), which is copied once into native memory (Netty's buffers; the JDK's temporary
 * direct buffer); each receiver reads into native buffers and copies nothing out of them (gRPC
 * parses in place; raw reads each message whole into one reused direct buffer, since gRPC's
 * receiver too holds a whole message when it handles it). Same socket options (TCP_NODELAY,
 * kernel-sized buffers) and the same warm-up.
 *
 * <p>CPU is counted per end, by thread, so the JIT compiler and GC threads of this JVM (where both
 * ends run) are left out: the sending end is the calling thread and, for gRPC, the client's event
 * loops (which also run the small ack callbacks); the receiving end is the raw receiver thread, or
 * gRPC's server event loops and call executor threads (idle unless the executor is forced).
 */
public final class TransportBench {
  /** One timed run of one transport: MB/s and CPU seconds per GB of the sending and receiving end. */
  public record Run(double mbps, double sendCpuSecondsPerGb, double receiveCpuSecondsPerGb) {
    public double cpuSecondsPerGb() {
      return sendCpuSecondsPerGb + receiveCpuSecondsPerGb;
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int RAW_READ_BUFFER = 1 << 20;
  /**
   * Raw's receiver reads each message whole into a buffer as large as the message. Until session
   * 8 it read every message through one 1 MiB buffer, which stays in the core's cache while an
   * 11 MB message held by gRPC cannot: raw's receive CPU/GB at 11 MB was about a fifth lower.
   * -Dedgepipe.bench.rawChunks=true gives that receiver back, to compare.
   */
  private static final boolean WHOLE_MESSAGES = !Boolean.getBoolean("edgepipe.bench.rawChunks");

  private TransportBench() {}

  public static byte[] payload(long bytes) {
    byte[] payload = new byte[(int) bytes];
    new java.util.Random(1).nextBytes(payload);
    return payload;
  }

  public static Run grpc(int c, int h, int w, byte[] payload, int frames) {
    Frame frame = Frame.newBuilder().setFlowId("bench").setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(c).setH(h).setW(w)).setData(UnsafeByteOperations.unsafeWrap(payload)).build();
    try (HopTimer hop = HopTimer.loopback(payload.length, true)) {
      hop.measure(frame, 0, Math.max(3, frames / 5)); // warm-up
      Map<Long, Long> before = threadCpu();
      long sender0 = THREADS.getCurrentThreadCpuTime();
      HopTimer.Measurement m = hop.measure(frame, 0, frames);
      long sender = THREADS.getCurrentThreadCpuTime() - sender0;
      long[] ends = grpcEnds(before, threadCpu());
      return run(payload.length, frames, m.ms() * frames / 1e3, sender + ends[0], ends[1]);
    }
  }

  public static Run raw(byte[] payload, int frames) {
    rawRun(payload, Math.max(3, frames / 5)); // warm-up
    return rawRun(payload, frames);
  }

  private static Run run(long bytes, int frames, double seconds, long sendCpuNanos, long receiveCpuNanos) {
    double gb = bytes * (double) frames / 1e9;
    return new Run(gb * 1e3 / seconds, sendCpuNanos / 1e9 / gb, receiveCpuNanos / 1e9 / gb);
  }

  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      cpu.put(id, THREADS.getThreadCpuTime(id));
    }
    return cpu;
  }

  /** CPU nanoseconds of gRPC's client threads and of its server threads between two snapshots. */
  private static long[] grpcEnds(Map<Long, Long> before, Map<Long, Long> after) {
    long[] ends = new long[2];
    for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(after.keySet().stream().mapToLong(Long::longValue).toArray())) {
      if (t == null || after.get(t.getThreadId()) < 0) {
        continue;
      }
      long used = after.get(t.getThreadId()) - Math.max(0, before.getOrDefault(t.getThreadId(), 0L));
      String name = t.getThreadName();
      if (name.startsWith("grpc-client-ELG")) {
        ends[0] += used;
      } else if (name.startsWith("grpc-server-ELG") || name.startsWith("grpc-default-executor")) {
        ends[1] += used;
      }
    }
    return ends;
  }

  /**
   * Length-prefixed messages over a plain socket; the receiver reads each into one reused direct
   * buffer and answers one byte after the last.
   */
  private static Run rawRun(byte[] payload, int frames) {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      long[] receiverCpu = new long[1];
      Thread receiver = new Thread(() -> receive(listener, frames, receiverCpu), "raw-receiver");
      receiver.start();
      try (SocketChannel s = SocketChannel.open(listener.getLocalAddress())) {
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        ByteBuffer length = ByteBuffer.allocate(4);
        for (int i = 0; i < frames; i++) {
          length.clear().putInt(payload.length).flip();
          ByteBuffer body = ByteBuffer.wrap(payload);
          while (length.hasRemaining() || body.hasRemaining()) {
            s.write(new ByteBuffer[] {length, body});
          }
        }
        ByteBuffer done = ByteBuffer.allocate(1);
        if (s.read(done) != 1 || done.get(0) != 1) {
          throw new IllegalStateException("raw receiver did not confirm");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long sendCpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        receiver.join();
        return run(payload.length, frames, seconds, sendCpu, receiverCpu[0]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void receive(ServerSocketChannel listener, int frames, long[] cpu) {
    try (SocketChannel s = listener.accept()) {
      s.setOption(StandardSocketOptions.TCP_NODELAY, true);
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      ByteBuffer in = ByteBuffer.allocateDirect(RAW_READ_BUFFER);
      ByteBuffer length = ByteBuffer.allocate(4);
      for (int i = 0; i < frames; i++) {
        readFully(s, length.clear());
        int size = length.flip().getInt();
        if (WHOLE_MESSAGES && in.capacity() < size) {
          in = ByteBuffer.allocateDirect(size);
        }
        long left = size;
        while (left > 0) { // the same native buffer every message, as a parser in place would read
          if (!in.hasRemaining()) {
            in.clear();
          }
          in.limit((int) Math.min(in.capacity(), in.position() + left));
          int n = s.read(in);
          if (n < 0) {
            throw new IOException("sender closed early");
          }
          left -= n;
        }
        in.clear();
      }
      cpu[0] = THREADS.getCurrentThreadCpuTime() - cpu0;
      s.write(ByteBuffer.wrap(new byte[] {1}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readFully(SocketChannel s, ByteBuffer into) throws IOException {
    while (into.hasRemaining()) {
      if (s.read(into) < 0) {
        throw new IOException("sender closed early");
      }
    }
  }
}
