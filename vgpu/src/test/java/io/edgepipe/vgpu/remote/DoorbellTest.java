package io.edgepipe.vgpu.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelCases;
import io.edgepipe.vgpu.backend.BackendLimits;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.bench.RawSession;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same-host doorbell: with a backend on this host, batches and replies travel on the session's
 * Unix socket (bit-identical results, one round trip each, the socket's name gone from the
 * segments' folder as soon as the backend connected); without shared memory they take the stream;
 * a client that stops reading its doorbell loses the doorbell after the reply timeout, not the
 * device (other sessions run meanwhile) nor its session (which goes on on its stream).
 */
class DoorbellTest extends OnLoopbackBackend {

  @Test
  void batchesTravelOnTheDoorbellWithTheSegmentAndOnTheStreamWithout() throws Exception {
    Map<String, byte[]> local;
    try (CpuGpu cpu = new CpuGpu()) {
      local = KernelCases.runAll(cpu, 11);
    }
    for (String query : List.of("", "&shm=off")) {
      try (Gpu gpu = open(query)) {
        RemoteGpu remote = (RemoteGpu) gpu;
        Map<String, byte[]> far = KernelCases.runAll(gpu, 11);
        local.forEach((k, v) -> assertArrayEquals(v, far.get(k), k + " with " + query));
        assertEquals(List.of(), doorbells(), "a doorbell's name outlived the backend's connection");
        long onStream = query.isEmpty() ? 1 : remote.roundTrips(); // the open always takes the stream
        assertEquals(remote.roundTrips() - onStream, remote.doorbellRoundTrips(), query);
      }
    }
    assertEquals(List.of(), doorbells());
  }

  @Test
  void aClientThatStopsReadingLosesItsDoorbellNotTheDeviceNorItsSession() throws Exception {
    backend.stop();
    BackendLimits d = BackendLimits.defaults();
    backend = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new CpuGpu(), TOKENS,
        d.withTimeouts(1_000, d.openTimeoutMillis(), d.handshakeTimeoutMillis(), d.idleConnectionMillis())).start();
    ManagedChannel ch = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", backend.port())).usePlaintext()
        .build();
    try (SharedSegment segment = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20);
        Doorbell bell = Doorbell.listen()) {
      RawSession raw = new RawSession(ch, TOKEN);
      raw.send(ClientMessage.newBuilder().setOpen(Open.newBuilder().setFgpu(0.5).setVmemUnits(1)
          .setShmSegment(segment.name()).setShmBytes(segment.bytes())
          .setDoorbell(bell.name()).setDoorbellTicket(ByteString.copyFrom(bell.ticket()))).build());
      assertTrue(raw.read(5_000).getOpened().getDoorbell(), "the backend connected to the doorbell");
      assertTrue(bell.accept(5_000), "and brought the ticket");
      int n = 8 << 20;
      ServerMessage m = bell.call(batch(1, Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(n)).build()), 5_000);
      long ptr = m.getResult().getHandles(0);
      // replies of 8 MiB inline (no place in the segment) that the client never reads
      for (int i = 0; i < 3; i++) {
        bell.send(batch(2 + i, Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(ptr).setBytes(n)).build()));
      }
      try (Gpu other = open("&fgpu=0.5"); CpuGpu cpu = new CpuGpu()) { // the device serves others meanwhile
        Map<String, byte[]> local = KernelCases.runAll(cpu, 3);
        Map<String, byte[]> far = KernelCases.runAll(other, 3);
        local.forEach((k, v) -> assertArrayEquals(v, far.get(k), k));
      }
      Thread.sleep(1_500); // past the reply timeout: the doorbell is closed, the session goes on on its stream
      raw.batch(10, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(16)).build()));
      ServerMessage r = raw.read(5_000);
      assertEquals(1, r == null ? 0 : r.getResult().getHandlesCount(), "the session answers on its stream: " + r);
      raw.cancel();
    } finally {
      ch.shutdownNow();
    }
    assertEquals(List.of(), doorbells());
  }

  private static ClientMessage batch(long seq, Op op) {
    return ClientMessage.newBuilder().setBatch(Batch.newBuilder().setSeq(seq).addOps(op)).build();
  }

  /** Doorbell sockets of this process in the segments' folder. */
  private static List<String> doorbells() throws IOException {
    List<String> left = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(SharedMemory.dir(),
        "edgepipe-" + Doorbell.KIND + "-" + ProcessHandle.current().pid() + "-*")) {
      files.forEach(f -> left.add(f.getFileName().toString()));
    }
    return left;
  }
}
