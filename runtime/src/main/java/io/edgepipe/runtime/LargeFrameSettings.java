package io.edgepipe.runtime;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;

/**
 * Tells the peer of a hop's connection that it may send HTTP/2 frames of up to
 * {@code maxFrameBytes}, by a SETTINGS frame sent right after gRPC's own preface.
 *
 * <p>Why: HTTP/2 starts every connection at 16 KiB frames and grpc-java offers no option to raise
 * that, so a 1 MB frame of ours crossed a hop as 64 DATA frames, and an 11 MB one as 675: each
 * frame costs the sender a header, two writes and promises, and the receiver a decode, a slice,
 * a gRPC buffer and one more piece for the in-place parser to walk. In `bench transport` those
 * per-frame costs were most of what a gRPC hop spent above a raw socket. With the setting, the
 * peer's frame writer (Netty's, which applies SETTINGS_MAX_FRAME_SIZE as it arrives) sends as much
 * per frame as flow control and the channel's write buffer allow; our own frame reader accepts
 * the larger frames once the peer has acknowledged the setting (HTTP/2 orders the peer's
 * acknowledgement before its first larger frame).
 *
 * <p>Placed in front of gRPC's negotiation handlers, it installs them behind itself, passes every
 * event on, and once gRPC's connection handler is in the pipeline of an active channel (so its
 * preface is out) sends the setting and leaves the pipeline.
 */
final class LargeFrameSettings extends ChannelInboundHandlerAdapter {
  private final GrpcHttp2ConnectionHandler grpcHandler;
  private final ChannelHandler negotiation;
  private final int maxFrameBytes;
  private boolean sent;

  LargeFrameSettings(GrpcHttp2ConnectionHandler grpcHandler, ChannelHandler negotiation, int maxFrameBytes) {
    this.grpcHandler = grpcHandler;
    this.negotiation = negotiation;
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.pipeline().addAfter(ctx.name(), null, negotiation);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    sendOnceReady(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    super.userEventTriggered(ctx, evt); // gRPC's negotiation may install its connection handler here
    sendOnceReady(ctx);
  }

  private void sendOnceReady(ChannelHandlerContext ctx) {
    if (sent || !ctx.channel().isActive() || ctx.pipeline().context(grpcHandler) == null) {
      return;
    }
    sent = true;
    grpcHandler.encoder().writeSettings(ctx, new Http2Settings().maxFrameSize(maxFrameBytes), ctx.newPromise());
    ctx.flush();
    ctx.pipeline().remove(this);
  }
}
