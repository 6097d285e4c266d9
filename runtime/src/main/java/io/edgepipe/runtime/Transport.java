package io.edgepipe.runtime;

import io.edgepipe.runtime.tls.TlsFiles;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.AdaptiveByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.RecvByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.WriteBufferWaterMark;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;

/**
 * The transport settings every hop shares, in one place: message limits follow the pipeline's
 * largest frame (gRPC's 4 MiB default would refuse a 720p float frame), and the HTTP/2 flow
 * control window is large enough that a multi-megabyte frame is not throttled by window
 * updates on a fast link, yet bounded, so a stalled receiver still stops its sender.
 */
public final class Transport {
  /** Room for the header and timings around the payload. */
  private static final int HEADER_ALLOWANCE = 1 << 20;
  /**
   * HTTP/2 flow-control window per stream and connection. Not smaller for loopback's sake: in
   * {@code bench transport} at 1 MB frames a 2-4 MiB window kept less waiting in the receiver's
   * socket and cut its CPU per GB (0.22 -> 0.18-0.20) but raised the sender's by as much, with
   * the same gRPC/raw ratio (session 11, interleaved in one JVM, 7 rounds, loaded). Session 13, quiet,
   * 4 MiB frames, separate JVMs alternating, 10 rounds each, three times: 8 MiB 0.56-0.60 and 4 MiB
   * 0.60-0.65 gRPC/raw against 0.67-0.73 for 16 MiB.
   */
  public static final int FLOW_CONTROL_WINDOW = Integer.getInteger("edgepipe.window", 16 << 20);
  /**
   * A sender may queue this many bytes before {@code isReady()} turns false. gRPC's 32 KiB
   * default makes every frame above it wait for a flush before the next is queued, which
   * serialises small frames on the event loop; 8 MiB lets many small frames pipeline while a
   * large frame still waits for the previous one to leave. 2 MiB (fewer framed bytes waiting to
   * be written, so warmer in cache) did not lower the sender's CPU at 1 MB frames and lowered the
   * gRPC/raw ratio (session 11; {@code -Dedgepipe.onReadyBytes} to compare again). Session 13, quiet,
   * 4 MiB frames (separate JVMs alternating, 10 rounds each, three times): 4 MiB (one frame queued)
   * cut the sending end's CPU per GB by about a tenth (0.28 vs 0.31-0.37: fewer buffers cycling
   * through the cache) but not the ratio (0.65-0.70 vs 0.67-0.73); 2 MiB 0.61-0.66; 16 MiB 0.56-0.63.
   * In whole {@code bench transport} runs alternating with 8 MiB: 4 MiB 0.76/0.79/0.72 vs 0.84/0.81/0.82
   * at 4 MB (11 MB better); 6 MiB (a frame and a half at 4 MB) over six pairs, medians 0.83 vs 0.77 at
   * 4 MB, 0.92 vs 0.89 at 11 MB, 0.85 vs 0.85 at 1 MB, better in 3 pairs at 4 MB, worse in 1: within
   * the spread of a noisy hour, and under 0.85 either way, so not changed.
   */
  public static final int ON_READY_THRESHOLD = Integer.getInteger("edgepipe.onReadyBytes", 8 << 20);
  /**
   * One buffer pool for every hop's sockets, sending and receiving. gRPC's own pooled allocator
   * frees a 4 MiB arena chunk as soon as it is empty and maps (and zeroes) a new one for the next
   * frame, which for multi-megabyte frames held until computed is every frame: in `bench
   * transport` that zeroing was a tenth of the hop's CPU. Netty's adaptive allocator keeps freed
   * chunks for reuse, but does not favour the most recently freed memory, so a hop's socket reads and send buffers cycle
   * through tens of megabytes; {@link RecyclingBuffers} hands the most recently freed large buffer
   * out first over it. Session 14, quiet, in one JVM alternating per round (30 rounds): gRPC's CPU
   * per GB x0.90-0.94 at 1, 4 and 11 MB, gRPC/raw x1.10 at 4 MB and x1.17 at 11 MB (better in 19
   * and 20 of 30 rounds); three whole {@code bench transport} runs each, alternating: 4 MB
   * 0.89/0.93/0.74 against 0.76/0.87/0.80, 11 MB 1.02/1.03/0.98 against 0.89/0.84/0.89.
   * {@code -Dedgepipe.buffers=adaptive} gives Netty's adaptive allocator alone back, to compare.
   * Session 13: Netty's PooledByteBufAllocator (direct, 4 MiB chunks, thread caches) in place of
   * the adaptive one, two quiet runs each alternating: 4 MB 0.83 and 0.73 against 0.83 and 0.78,
   * other sizes within the spread; not kept.
   */
  private static final ByteBufAllocator BUFFERS = "adaptive".equals(System.getProperty("edgepipe.buffers"))
      ? new AdaptiveByteBufAllocator(true)
      : new RecyclingBuffers(new AdaptiveByteBufAllocator(true), RecyclingBuffers.KEPT_BYTES);
  /**
   * Largest single socket read. Netty's adaptive default stops at 64 KiB, so an 11 MB frame takes
   * 170 or more reads, each a system call and one more piece in the message the parser walks; a
   * raw socket reads up to a megabyte at once. The guess still starts small and grows only while
   * reads fill it, so an idle or small-frame connection keeps small buffers.
   * {@code -Dedgepipe.readBytes=65536} gives Netty's default back (to compare in {@code bench transport}).
   * Not above 1 MiB: Netty's adaptive allocator pools buffers only up to 1 MiB (an eighth of its
   * 8 MiB chunks) and gives each larger one fresh memory, faulted in page by page; with 4 MiB reads
   * the receiving end's CPU per GB at 11 MB frames rose from 0.30 to 0.51 (session 9, loaded A/B).
   */
  static final int MAX_READ_BYTES = Integer.getInteger("edgepipe.readBytes", 1 << 20);
  /**
   * Read sizes adapt between 64 bytes and {@link #MAX_READ_BYTES}. This instance reads once per
   * event-loop turn: an allocator handed over as an option keeps {@code maxMessagesPerRead} 1
   * (Netty's 16 is set only on the allocator a channel creates itself), so each read of up to
   * 1 MiB is its own event-loop task.
   * Session 12 (1 MB/4 MB/11 MB frames, in-JVM interleaved A/B of bench transport's runs,
   * gRPC/raw of each setting over base's in the same round, 8-30 rounds, load 1-11), none kept:
   * 16 reads per turn 0.98-1.06x, CPU 0.96-1.03x (within the spread); fixed 1 MiB buffers
   * (minimum = maximum) raised the receiving end's CPU per GB at 4 and 11 MB from 0.16/0.19 to
   * 0.22/0.27 and gave 0.80-0.82x (1 MB: within the spread; partly filled 1 MiB buffers are
   * held until their frame is parsed, so probably more memory cycles through the cache); a
   * 512 KiB or 256 KiB maximum 0.95-1.06x, 512 KiB above base in 16 of 30 rounds at 1 MB (a coin
   * toss); level-triggered epoll 0.98x at 1 MB.
   */
  private static final RecvByteBufAllocator READS = new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);
  /**
   * Largest HTTP/2 frame a hop's peer may send us, announced by {@link LargeFrameSettings}
   * (HTTP/2's default is 16 KiB; the protocol allows up to 16 MiB - 1).
   * {@code -Dedgepipe.frameBytes=16384} gives the default back (to compare in {@code bench transport}).
   */
  static final int MAX_FRAME_BYTES = Integer.getInteger("edgepipe.frameBytes", (1 << 24) - 1);
  /**
   * How much a connection hands its socket before Netty calls it unwritable. Netty's HTTP/2 flow
   * controller writes at most this much between flushes, so with Netty's 64 KiB default a 1 MB
   * frame went out in 16 rounds of four 16 KiB DATA frames and a system call each; gRPC itself
   * does not use the channel's writability (its own limit is the stream's on-ready threshold).
   * 16 MiB gave 0.47-0.58 gRPC/raw against 0.63-0.67 at 4 MiB frames (session 13, quiet, separate JVMs).
   */
  static final int WRITE_BUFFER_BYTES = Integer.getInteger("edgepipe.writeBytes", 4 << 20);
  private static final WriteBufferWaterMark WRITES = new WriteBufferWaterMark(WRITE_BUFFER_BYTES / 2, WRITE_BUFFER_BYTES);

  static {
    quietLeakDetector();
  }

  private Transport() {}

  /**
   * Netty's leak detector off, unless a level was asked for: its default level records a stack
   * trace for one buffer in 128, which a hop allocating several buffers per frame pays on every
   * frame's path. A test that wants it sets it explicitly (see the runtime's NettyLeakWatch), or
   * {@code -Dio.grpc.netty.shaded.io.netty.leakDetection.level=paranoid} for a whole run.
   */
  private static void quietLeakDetector() {
    boolean asked = System.getProperty("io.grpc.netty.shaded.io.netty.leakDetection.level") != null
        || System.getProperty("io.grpc.netty.shaded.io.netty.leakDetectionLevel") != null;
    if (!asked && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.SIMPLE) { // SIMPLE: nobody set it
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }

  public static int maxMessageBytes(long maxFrameBytes) {
    return (int) Math.min(Integer.MAX_VALUE, maxFrameBytes + HEADER_ALLOWANCE);
  }

  /**
   * A channel to {@code target}: "host:port", or any gRPC target such as
   * "dns:///maxpool.edgepipe.svc.cluster.local:50051" (round-robin over every address the name
   * resolves to, for replicated stages behind a headless Service). A target served by a
   * {@link FrameServer} in this JVM is reached in-process: frames pass by reference, no copy
   * (see {@link SameJvmHops}); TLS hops always use the socket.
   */
  public static ManagedChannel channel(String target, long maxFrameBytes) {
    return channel(target, maxFrameBytes, null);
  }

  // --- TLS overloads (issue 6.5 security) ---------------------------------------------------
  /**
   * As {@link #channel(String, long)}, over mutual TLS when {@code tls} is not null: this
   * service's certificate is presented, and the server's must be signed by {@code tls.ca()} and
   * name the target's host (a SAN of {@link io.edgepipe.runtime.tls.CertificateAuthority}'s
   * service certificates). Null = plaintext.
   */
  public static ManagedChannel channel(String target, long maxFrameBytes, TlsFiles tls) {
    Integer localPort = tls == null ? SameJvmHops.servingPort(target) : null;
    if (localPort != null) {
      return SameJvmHops.channel(localPort, maxMessageBytes(maxFrameBytes));
    }
    return socketChannel(target, maxFrameBytes, tls);
  }

  /**
   * As {@link #channel(String, long, TlsFiles)}, but always over a socket, even to a server in
   * this JVM (to measure or test the network path itself).
   */
  public static ManagedChannel socketChannel(String target, long maxFrameBytes, TlsFiles tls) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(target);
    if (tls == null) {
      // plaintext, with the received bytes kept in the buffers they were read into
      InternalNettyChannelBuilder.setProtocolNegotiatorFactory(b, ComposingNegotiator.clientFactory());
    } else {
      b.sslContext(tls.clientContext());
    }
    return b.withOption(ChannelOption.ALLOCATOR, BUFFERS).withOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
        .withOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITES)
        .eventLoopGroup(EventLoops.CLIENTS).channelType(EventLoops.clientChannel())
        .defaultLoadBalancingPolicy("round_robin")
        .disableRetry() // DownstreamClient re-sends after a reconnect; gRPC's retry layer would only wrap every message
        .maxInboundMessageSize(maxMessageBytes(maxFrameBytes))
        .flowControlWindow(FLOW_CONTROL_WINDOW)
        .build();
  }

  public static NettyServerBuilder server(String host, int port, long maxFrameBytes) {
    return server(host, port, maxFrameBytes, null);
  }

  /*
   * No SO_RCVBUF on the server's connections (the kernel autotunes it). Session 12 tried a fixed
   * receive buffer to keep the kernel queue short, so the receiving loop would read data still
   * in cache (session 11 saw its Recv-Q above 1 MiB most of the time): 256 KiB, 512 KiB and
   * 1 MiB raised the receiving end's CPU per GB at 1 MB frames (0.16-0.20 against 0.145;
   * probably more wake-ups and smaller reads) and gave gRPC/raw 0.83-0.87x base's; 2 MiB, 4 MiB,
   * and 1 MiB with the client's SO_SNDBUF at 1 MiB too, were within the spread (0.95-1.06x).
   */
  /**
   * As {@link #server(String, int, long)}, serving TLS when {@code tls} is not null and refusing
   * every client without a certificate signed by {@code tls.ca()}. Null = plaintext.
   */
  public static NettyServerBuilder server(String host, int port, long maxFrameBytes, TlsFiles tls) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .maxInboundMessageSize(maxMessageBytes(maxFrameBytes))
        .flowControlWindow(FLOW_CONTROL_WINDOW)
        .bossEventLoopGroup(EventLoops.SERVERS).workerEventLoopGroup(EventLoops.SERVERS)
        .channelType(EventLoops.serverChannel())
        .withChildOption(ChannelOption.ALLOCATOR, BUFFERS).withChildOption(ChannelOption.RCVBUF_ALLOCATOR, READS)
        .withChildOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITES);
    if (tls != null) {
      b.sslContext(tls.serverContext());
    } else {
      b.protocolNegotiator(ComposingNegotiator.server());
    }
    return b;
  }
  // --- end TLS overloads --------------------------------------------------------------------
}
