package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelCases;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.proto.StatusRequest;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.edgepipe.vgpu.remote.Wire;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backend on real TCP loopback with the netty transport, reached through Devices.open. */
class NettyLoopbackTest {
  private CpuGpu device;
  private VgpuBackend backend;

  @BeforeEach
  void start() throws Exception {
    device = new CpuGpu();
    backend = VgpuBackend.onLoopback(device, TokenStore.of(Map.of("edge1", "s3cret", "edge2", "other"))).start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    backend.stop();
  }

  private String spec(String query) {
    return "vgpu://127.0.0.1:" + backend.port() + query;
  }

  @Test
  void everyKernelIsBitIdenticalToCpuOverTcp() {
    Map<String, byte[]> local;
    try (CpuGpu cpu = new CpuGpu()) {
      local = KernelCases.runAll(cpu, 3);
    }
    try (Gpu remote = Devices.open(spec("?tenant=edge1&fgpu=0.5&vmem=2"), Map.of("EDGEPIPE_VGPU_TOKEN", "s3cret"))) {
      assertEquals(spec("?tenant=edge1"), remote.name());
      Map<String, byte[]> far = KernelCases.runAll(remote, 3);
      local.forEach((k, v) -> assertArrayEquals(v, far.get(k), k));
    }
  }

  /** A 24 MiB frame each way in one batch: far above gRPC's 4 MiB default. */
  @Test
  void largeFramesPass() {
    try (Gpu remote = Devices.open(spec("?token=s3cret&vmem=1"), Map.of())) {
      int n = 24 << 20;
      DevicePtr p = remote.malloc(n);
      ByteBuffer in = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i += 4096) {
        in.putInt(i, i);
      }
      ByteBuffer out = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
      remote.copyHtoDAsync(p, in);
      remote.copyDtoHAsync(out, p);
      remote.synchronize();
      for (int i = 0; i < n; i += 4096) {
        assertEquals(i, out.getInt(i));
      }
      assertEquals(3, ((RemoteGpu) remote).roundTrips(), "open + malloc + one batch");
    }
  }

  /** The client's connection drops without a goodbye: the backend frees its memory. */
  @Test
  void droppedConnectionFreesTheSession() throws Exception {
    for (int i = 0; i < 20; i++) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", backend.port()).usePlaintext()
          .maxInboundMessageSize(Wire.MAX_MESSAGE_BYTES).build();
      RemoteGpu g = new RemoteGpu(ch, false, new RemoteSpec("127.0.0.1", backend.port(), "edge2", "other", 0.2, 1, "t"));
      g.malloc(1 << 20);
      ch.shutdownNow();
    }
    BackendTest.waitFor(() -> backend.deviceBytesInUse() == 0 && backend.sessions() == 0);
    assertEquals(0, backend.sessions());
    assertEquals(0, device.bytesInUse());
  }

  @Test
  void healthAndStatus() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", backend.port()).usePlaintext().build();
    try (RemoteGpu g = RemoteGpu.connect(new RemoteSpec("127.0.0.1", backend.port(), "edge1", "s3cret", 0.5, 3, "cam-7"))) {
      g.malloc(1000);
      HealthCheckResponse h = HealthGrpc.newBlockingStub(ch).check(
          HealthCheckRequest.newBuilder().setService(VgpuGrpc.SERVICE_NAME).build());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());

      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> VgpuGrpc.newBlockingStub(ch).status(StatusRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());

      // another tenant sees none of edge1's sessions, nor its memory
      Metadata other = new Metadata();
      other.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer other");
      StatusReply o = VgpuGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(other))
          .status(StatusRequest.getDefaultInstance());
      assertEquals(0, o.getSessionsCount());
      assertEquals(0, o.getDeviceBytesInUse());

      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer s3cret");
      StatusReply s = VgpuGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
          .status(StatusRequest.getDefaultInstance());
      assertEquals(1, s.getSessionsCount());
      assertEquals("edge1", s.getSessions(0).getTenant());
      assertEquals("cam-7", s.getSessions(0).getClient());
      assertEquals(1000, s.getDeviceBytesInUse());
      assertEquals(3, s.getSessions(0).getVmemUnits());
      assertTrue(s.getSessions(0).getBatches() >= 1);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void unreachableBackendIsUnavailable() throws Exception {
    int port = backend.port();
    backend.stop();
    assertEquals("UNAVAILABLE", assertThrows(io.edgepipe.vgpu.GpuException.class,
        () -> Devices.open("vgpu://127.0.0.1:" + port + "?token=s3cret", Map.of())).code());
  }
}
