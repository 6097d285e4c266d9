package io.edgepipe.runtime;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;

/**
 * One group of Netty event loops for this JVM's hop clients and another for its servers, instead
 * of gRPC's single shared group. Why: with both ends of a hop in one JVM (a stage serving its
 * upstream while sending downstream, or {@code bench transport}), the two ends otherwise share
 * threads named alike, so neither the CPU of each end can be told apart nor are the ends kept
 * on different threads. Epoll where Netty's native transport loads (as gRPC chooses), else NIO.
 * Daemon threads, kept for the life of the JVM like gRPC's own shared group.
 */
final class EventLoops {
  /** Thread-name prefixes, which {@code bench transport} uses to count each end's CPU. */
  static final String CLIENT_THREADS = "grpc-client-ELG";
  static final String SERVER_THREADS = "grpc-server-ELG";

  private static final boolean EPOLL = Epoll.isAvailable();
  /**
   * As gRPC's default group: two threads per core. One thread per group (so each end of a hop in
   * one JVM always runs on the same thread) gave gRPC/raw 0.95x base's at 1 MB frames, CPU per
   * GB the same (session 12, 7 interleaved rounds, loaded): not kept.
   */
  private static final int THREADS = 2 * Runtime.getRuntime().availableProcessors();

  static final EventLoopGroup CLIENTS = group(CLIENT_THREADS);
  static final EventLoopGroup SERVERS = group(SERVER_THREADS);

  private EventLoops() {}

  static Class<? extends Channel> clientChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  private static EventLoopGroup group(String name) {
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(THREADS, new DefaultThreadFactory(name, true), io);
  }
}
