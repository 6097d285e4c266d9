package io.edgepipe.vgpu.remote;

import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.proto.StatusRequest;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/** Asks a vgpu-backend for its sessions, memory and busy shares (for {@code vgpu status}). */
public final class StatusClient {
  private StatusClient() {}

  /** One Status call with {@code spec}'s token (any valid tenant token may ask). */
  public static StatusReply query(RemoteSpec spec) {
    ManagedChannel ch = NettyChannelBuilder.forAddress(spec.host(), spec.port()).usePlaintext().build();
    try {
      Metadata md = new Metadata();
      if (!spec.token().isEmpty()) {
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + spec.token());
      }
      if (!spec.tenant().isEmpty()) {
        md.put(Metadata.Key.of(Wire.TENANT_HEADER, Metadata.ASCII_STRING_MARSHALLER), spec.tenant());
      }
      return VgpuGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
          .withDeadlineAfter(10, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      Status s = e.getStatus();
      throw new GpuException(s.getCode().name(), spec.displayName() + ": "
          + (s.getDescription() == null ? s.getCode().name() : s.getDescription()), e);
    } finally {
      ch.shutdownNow();
    }
  }
}
