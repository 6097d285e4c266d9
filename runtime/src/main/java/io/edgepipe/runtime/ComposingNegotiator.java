package io.edgepipe.runtime;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.AdaptiveCumulator;
import io.grpc.netty.shaded.io.netty.util.AsciiString;

/**
 * Plaintext HTTP/2 whose connection handler keeps the bytes it has read as a list of the read
 * buffers instead of copying them into one, and which lets the peer send large frames
 * ({@link LargeFrameSettings}).
 *
 * <p>Why: grpc-netty's handler inherits Netty's merge cumulator. A socket read (up to 64 KiB)
 * rarely ends on an HTTP/2 frame boundary, so almost every read is appended to the leftover of
 * the previous one; and because the DATA frames already cut from that buffer are retained by the
 * message being assembled, each append reallocates it and copies the leftover too. Profiling
 * `bench transport` at 11 MB frames put that copy above the kernel's own socket copies. Netty's
 * {@link AdaptiveCumulator} composes read buffers of at least {@value #COMPOSE_MIN_BYTES} bytes
 * (merging only small tails), so the payload stays in the buffers the socket filled, which the
 * receiving stage then parses in place.
 *
 * <p>gRPC offers no public hook for the cumulator, so this wraps its plaintext negotiator (an
 * {@code Internal} API of grpc-netty, pinned by the BOM), which is handed the connection handler
 * before the connection starts. TLS hops keep gRPC's own negotiator: the TLS handler decrypts
 * into fresh buffers before HTTP/2 sees them.
 */
final class ComposingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  /** Reads at least this large are kept as they are; smaller ones are merged into the tail. */
  static final int COMPOSE_MIN_BYTES = 1024;

  private final InternalProtocolNegotiator.ProtocolNegotiator plaintext;

  private ComposingNegotiator(InternalProtocolNegotiator.ProtocolNegotiator plaintext) {
    this.plaintext = plaintext;
  }

  static ComposingNegotiator server() {
    return new ComposingNegotiator(InternalProtocolNegotiators.serverPlaintext());
  }

  /** For a channel builder: a fresh negotiator per transport, as gRPC asks of a factory. */
  static InternalProtocolNegotiator.ClientFactory clientFactory() {
    return new InternalProtocolNegotiator.ClientFactory() {
      @Override
      public InternalProtocolNegotiator.ProtocolNegotiator newNegotiator() {
        return new ComposingNegotiator(InternalProtocolNegotiators.plaintext());
      }

      @Override
      public int getDefaultPort() {
        return 80;
      }
    };
  }

  @Override
  public AsciiString scheme() {
    return plaintext.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    grpcHandler.setCumulator(new AdaptiveCumulator(COMPOSE_MIN_BYTES));
    return new LargeFrameSettings(grpcHandler, plaintext.newHandler(grpcHandler), Transport.MAX_FRAME_BYTES);
  }

  @Override
  public void close() {
    plaintext.close();
  }
}
