package io.edgepipe.vgpu.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.KernelCases;
import io.edgepipe.vgpu.backend.BackendLimits;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.bench.BackendProcess;
import io.edgepipe.vgpu.bench.RawSession;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.proto.ClientMessage;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.Open;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.ShmRange;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The vGPU link between a stage and a backend on one host: payloads through a shared-memory
 * segment offered at open (bit-identical to inline and to the local device), inline when the
 * backend cannot map it (another host's /dev/shm), codecs inline, the segment charged to the host
 * budget and bounded by the session's reservation, and no segment left by a client killed with
 * {@code kill -9}.
 */
class SharedMemoryLinkTest extends OnLoopbackBackend {

  @Test
  void sharedMemoryIsBitIdenticalToInlineCodecsAndLocal() throws Exception {
    Map<String, byte[]> local;
    try (CpuGpu cpu = new CpuGpu()) {
      local = KernelCases.runAll(cpu, 7);
    }
    for (String query : List.of("", "&shm=off", "&shm=off&codec=lz4", "&shm=off&codec=zstd", "&codec=zstd")) {
      try (Gpu gpu = open(query)) {
        RemoteGpu remote = (RemoteGpu) gpu;
        Map<String, byte[]> far = KernelCases.runAll(gpu, 7);
        local.forEach((k, v) -> assertArrayEquals(v, far.get(k), k + " with " + query));
        boolean shm = !query.contains("shm=off");
        assertEquals(shm, remote.sharedMemory(), query + ": " + remote.sharedMemoryDeclined());
        assertEquals(shm, remote.bytesShared() > 0, query);
      }
    }
    BackendTestSupport.waitFor(() -> backend.hostBytesReserved() == 0);
    assertEquals(0, backend.hostBytesReserved(), "segments' host reservations were not returned");
  }

  /** 24 MiB each way fits a 64 MiB segment; 40 MiB each way does not: what is left over goes inline. */
  @Test
  void payloadsTooLargeForTheSegmentGoInlineInTheSameBatch() {
    for (int mib : new int[] {24, 40}) {
      try (Gpu gpu = open("&vmem=1")) {
        RemoteGpu remote = (RemoteGpu) gpu;
        int n = mib << 20;
        DevicePtr p = gpu.malloc(n);
        ByteBuffer in = random(n, mib);
        ByteBuffer out = ByteBuffer.allocateDirect(n);
        long trips = remote.roundTrips();
        gpu.copyHtoDAsync(p, in);
        gpu.copyDtoHAsync(out, p);
        gpu.synchronize();
        assertEquals(1, remote.roundTrips() - trips, "one round trip");
        assertEquals(in, out, mib + " MiB came back different");
        assertEquals(mib == 24 ? 2L * n : n, remote.bytesShared(), mib + " MiB: bytes through shared memory");
      }
    }
  }

  /** A backend whose /dev/shm is another (as on another host) cannot map the segment: inline, same results. */
  @Test
  void aBackendOnAnotherHostDeclinesAndPayloadsGoInline() throws Exception {
    Path otherShm = Files.createTempDirectory("other-host-shm");
    Path tokens = Files.createTempFile("tokens", ".txt");
    Files.writeString(tokens, "edge1:" + TOKEN + "\n");
    Process far = new ProcessBuilder(java(), "-Xmx512m", "-Dedgepipe.shm.dir=" + otherShm, "-cp",
        System.getProperty("java.class.path"), BackendProcess.class.getName(), tokens.toString(), "300", "128", "16", "5000")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String port = firstLine(far, "port ").substring("port ".length());
      Map<String, byte[]> local;
      try (CpuGpu cpu = new CpuGpu()) {
        local = KernelCases.runAll(cpu, 11);
      }
      try (Gpu gpu = Devices.open("vgpu://127.0.0.1:" + port + "?token=" + TOKEN + "&shm=8", Map.of())) {
        RemoteGpu remote = (RemoteGpu) gpu;
        assertFalse(remote.sharedMemory());
        assertTrue(remote.sharedMemoryDeclined().contains("not a segment on this host"), remote.sharedMemoryDeclined());
        Map<String, byte[]> got = KernelCases.runAll(gpu, 11);
        local.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
        assertEquals(0, remote.bytesShared());
      }
      assertEquals(List.of(), segmentsOf(ProcessHandle.current().pid()), "the declined segment was not deleted");
    } finally {
      far.getOutputStream().close(); // its signal to stop
      if (!far.waitFor(10, TimeUnit.SECONDS)) {
        far.destroyForcibly();
      }
      Files.deleteIfExists(tokens);
      Files.deleteIfExists(otherShm);
    }
  }

  /** Only a backend behind this host's loopback is offered a segment (pids, hence names, repeat elsewhere). */
  @Test
  void onlyLoopbackBackendsAreOfferedASegment() {
    assertEquals(null, PayloadLink.offer(LinkOptions.DEFAULT, "10.1.2.3"));
    assertEquals(null, PayloadLink.offer(LinkOptions.DEFAULT, "gpu-server"));
    assertEquals(null, PayloadLink.offer(LinkOptions.DEFAULT.withShmBytes(0), "127.0.0.1"));
    for (String host : List.of("127.0.0.1", "localhost", "::1")) {
      try (SharedSegment s = PayloadLink.offer(LinkOptions.DEFAULT, host)) {
        assertTrue(s != null && s.bytes() == LinkOptions.DEFAULT_SHM_BYTES, host);
      }
    }
  }

  /** Of a segment larger than the session's message reservation only that much is mapped and charged. */
  @Test
  void aTenantCannotMapMoreThanItsReservation() throws Exception {
    long perSession = backend.limits().hostBytesPerSession();
    try (Gpu gpu = open("&shm=" + ((perSession >> 20) * 2))) {
      RemoteGpu remote = (RemoteGpu) gpu;
      assertTrue(remote.sharedMemory(), remote.sharedMemoryDeclined());
      assertEquals(perSession, remote.sharedMemoryBytes(), "mapped");
      assertEquals(2 * perSession, backend.hostBytesReserved(), "charged: messages and what was mapped");
      roundTrip(gpu, 1 << 20);
    }
    assertEquals(List.of(), segmentsOf(ProcessHandle.current().pid()));
  }

  /** Segments are charged to the host budget: one that does not fit what is left is declined. */
  @Test
  void segmentsAreChargedToTheHostBudget() throws Exception {
    backend.stop();
    // each session reserves 2 x 16 MiB for messages; 80 MiB: two sessions and one 16 MiB segment
    backend = VgpuBackend.onAddress(new InetSocketAddress("127.0.0.1", 0), new CpuGpu(),
        TOKENS, BackendLimits.defaults().withMessages(16 << 20, 80L << 20)).start();
    try (Gpu first = open("&shm=16&fgpu=0.5"); Gpu second = open("&shm=8&fgpu=0.5")) {
      assertTrue(((RemoteGpu) first).sharedMemory(), ((RemoteGpu) first).sharedMemoryDeclined());
      assertEquals((32L + 16 + 32) << 20, backend.hostBytesReserved());
      RemoteGpu s = (RemoteGpu) second;
      assertFalse(s.sharedMemory());
      assertTrue(s.sharedMemoryDeclined().startsWith("host memory"), s.sharedMemoryDeclined());
      roundTrip(first, 4 << 20);
      roundTrip(second, 4 << 20);
      assertTrue(((RemoteGpu) first).bytesShared() > 0);
    }
    BackendTestSupport.waitFor(() -> backend.hostBytesReserved() == 0);
    assertEquals(0, backend.hostBytesReserved());
  }

  /** Places outside the segment, or in a session without one, are refused and the session serves on. */
  @Test
  void placesOutsideTheSegmentAreRefused() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", backend.port())).usePlaintext()
        .build();
    try (SharedSegment offered = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20)) {
      for (SharedSegment segment : new SharedSegment[] {null, offered}) {
        RawSession raw = new RawSession(ch, TOKEN);
        Open.Builder open = Open.newBuilder().setFgpu(1).setVmemUnits(1);
        if (segment != null) {
          open.setShmSegment(segment.name()).setShmBytes(segment.bytes());
        }
        raw.send(ClientMessage.newBuilder().setOpen(open).build());
        assertEquals(segment != null, raw.read(5_000).getOpened().getShm());
        raw.batch(1, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(1024)).build()));
        long ptr = raw.read(5_000).getResult().getHandles(0);
        raw.batch(2, List.of(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(ptr)
            .setShared(ShmRange.newBuilder().setOffset((1 << 20) - 100).setLength(512))).build()));
        ServerMessage r = raw.read(5_000);
        assertEquals("INVALID_ARGUMENT", r.getResult().getError().getCode(), r.toString());
        assertTrue(r.getResult().getError().getMessage().contains(segment == null ? "no segment" : "outside"), r.toString());
        raw.batch(3, List.of(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(ptr).setBytes(1024)
            .setShared(ShmRange.newBuilder().setOffset(0).setLength(2048))).build()));
        assertEquals("INVALID_ARGUMENT", raw.read(5_000).getResult().getError().getCode(), "a place of another size");
        raw.batch(4, List.of(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(ptr).setBytes(1024)).build()));
        assertEquals(1024, raw.read(5_000).getResult().getDtoh(0).size(), "the session serves on");
        raw.cancel();
      }
    } finally {
      ch.shutdownNow();
    }
  }

  /** A client that shortens its segment after the backend mapped it gets an error; the backend serves on. */
  @Test
  void aSegmentShortenedByItsClientIsRefusedNotFatal() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", backend.port())).usePlaintext()
        .build();
    try (SharedSegment segment = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20);
        java.io.RandomAccessFile kept = new java.io.RandomAccessFile(SharedMemory.dir().resolve(segment.name()).toFile(),
            "rw")) {
      RawSession raw = new RawSession(ch, TOKEN);
      raw.send(ClientMessage.newBuilder().setOpen(Open.newBuilder().setFgpu(1).setVmemUnits(1)
          .setShmSegment(segment.name()).setShmBytes(segment.bytes())).build());
      assertTrue(raw.read(5_000).getOpened().getShm());
      kept.setLength(0); // the backend's mapping now has no pages behind it
      raw.batch(1, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(1 << 20)).build()));
      long ptr = raw.read(5_000).getResult().getHandles(0);
      raw.batch(2, List.of(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(ptr)
          .setShared(ShmRange.newBuilder().setOffset(0).setLength(1 << 20))).build()));
      ServerMessage r = raw.read(5_000);
      assertEquals("INVALID_ARGUMENT", r.getResult().getError().getCode(), String.valueOf(r));
      assertTrue(r.getResult().getError().getMessage().contains("shortened"), r.toString());
      raw.batch(3, List.of(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(ptr).setBytes(64)).build()));
      assertEquals(64, raw.read(5_000).getResult().getDtoh(0).size(), "the session serves on, inline");
      raw.cancel();
    } finally {
      ch.shutdownNow();
    }
    roundTrip(open(""), 1 << 20); // and so does the backend, through a new segment
  }

  @Test
  void aClientKilledMidSessionLeavesNoSegmentAndItsReservationReturns() throws Exception {
    Process client = new ProcessBuilder(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        ShmClientPeer.class.getName(), "client", String.valueOf(backend.port()), TOKEN)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String line = firstLine(client, "shared ");
      assertTrue(Long.parseLong(line.substring("shared ".length())) > 0, "nothing went through shared memory");
      assertEquals(1, backend.sessions());
      assertTrue(backend.hostBytesReserved() > backend.limits().hostBytesPerSession(), "the segment is charged");
      client.destroyForcibly(); // kill -9
      client.waitFor(10, TimeUnit.SECONDS);
      assertEquals(List.of(), segmentsOf(client.pid()));
      BackendTestSupport.waitFor(() -> backend.sessions() == 0 && backend.hostBytesReserved() == 0);
      assertEquals(0, backend.sessions());
      assertEquals(0, backend.hostBytesReserved());
      roundTrip(open(""), 1 << 20); // and serves on
    } finally {
      client.destroyForcibly();
    }
  }

  @Test
  void aSegmentOfAClientKilledBeforeOpenIsReclaimedByTheNextBackendStart() throws Exception {
    Process orphan = new ProcessBuilder(java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        ShmClientPeer.class.getName(), "orphan").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String name = firstLine(orphan, "segment ").substring("segment ".length());
      String bell = firstLine(orphan, "doorbell ").substring("doorbell ".length());
      assertTrue(Files.exists(SharedMemory.dir().resolve(name)));
      assertTrue(Files.exists(SharedMemory.dir().resolve(bell)));
      orphan.destroyForcibly();
      orphan.waitFor(10, TimeUnit.SECONDS);
      backend.stop();
      backend = VgpuBackend.onLoopback(new CpuGpu(), TOKENS).start();
      assertFalse(Files.exists(SharedMemory.dir().resolve(name)), name + " was left in /dev/shm");
      assertFalse(Files.exists(SharedMemory.dir().resolve(bell)), bell + " was left in /dev/shm");
    } finally {
      orphan.destroyForcibly();
    }
  }

  private static void roundTrip(Gpu gpu, int n) {
    try (gpu) {
      DevicePtr p = gpu.malloc(n);
      ByteBuffer in = random(n, n);
      ByteBuffer out = ByteBuffer.allocate(n);
      gpu.copyHtoDAsync(p, in);
      gpu.copyDtoHAsync(out, p);
      gpu.synchronize();
      assertEquals(in, out);
    }
  }

  private static ByteBuffer random(int n, long seed) {
    ByteBuffer b = ByteBuffer.allocateDirect(n);
    SplittableRandom r = new SplittableRandom(seed);
    while (b.remaining() >= 8) {
      b.putLong(r.nextLong());
    }
    return b.clear();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String firstLine(Process p, String prefix) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("peer ended without printing '" + prefix + "'");
  }

  /** Segments and doorbell sockets of process {@code pid} still in the segments' folder. */
  private static List<String> segmentsOf(long pid) throws IOException {
    List<String> left = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(SharedMemory.dir(), "edgepipe-vgpu{,bell}-" + pid + "-*")) {
      files.forEach(f -> left.add(f.getFileName().toString()));
    }
    return left;
  }
}
