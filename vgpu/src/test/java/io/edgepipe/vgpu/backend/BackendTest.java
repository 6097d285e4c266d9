package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCases;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.grpc.ManagedChannel;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backend's rules through the real client, on the in-process transport. */
class BackendTest {
  private static final Map<String, String> TOKENS = Map.of("alice", "tok-alice", "bob", "tok-bob");
  private static final long MIB = 1L << 20;

  private CpuGpu device;
  private InProcessBackend b;

  @BeforeEach
  void start() {
    device = new CpuGpu();
    b = new InProcessBackend(device, TOKENS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    b.close();
  }

  @Test
  void remoteResultsAreBitIdenticalToCpu() {
    Map<String, byte[]> local;
    try (CpuGpu cpu = new CpuGpu()) {
      local = KernelCases.runAll(cpu, 11);
    }
    try (RemoteGpu remote = b.open("alice", "tok-alice", 1, 4)) {
      Map<String, byte[]> far = KernelCases.runAll(remote, 11);
      assertEquals(local.keySet(), far.keySet());
      local.forEach((k, v) -> assertArrayEquals(v, far.get(k), k));
    }
  }

  @Test
  void aFrameThroughAStageIsOneRoundTrip() {
    try (RemoteGpu gpu = b.open("alice", "tok-alice", 1, 4)) {
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      GpuFunction relu = gpu.function(m, KernelCatalog.RELU_F32);
      DevicePtr in = gpu.malloc(4000);
      DevicePtr out = gpu.malloc(4000);
      ByteBuffer frame = ByteBuffer.allocate(4000);
      ByteBuffer result = ByteBuffer.allocate(4000);
      long before = gpu.roundTrips();
      for (int f = 0; f < 5; f++) {
        gpu.copyHtoDAsync(in, frame);
        gpu.launch(relu, KernelCatalog.gridFor(1000), Dim3.of(KernelCatalog.BLOCK), KernelArgs.of().ptr(in).ptr(out).i32(1000));
        gpu.copyDtoHAsync(result, out);
        gpu.synchronize();
      }
      assertEquals(5, gpu.roundTrips() - before);
      gpu.synchronize(); // nothing queued: no round trip
      assertEquals(5, gpu.roundTrips() - before);
      assertEquals(5 * 4000, gpu.bytesUploaded());
      assertEquals(5 * 4000, gpu.bytesDownloaded());
    }
  }

  @Test
  void vmemQuotaRefusesWithBytesInUseAndAllowed() {
    try (RemoteGpu gpu = b.open("alice", "tok-alice", 0.5, 1)) { // 1 unit = 256 MiB
      assertEquals(256 * MIB, gpu.vmemBytesAllowed());
      DevicePtr big = gpu.malloc(200 * MIB);
      GpuException e = assertThrows(GpuException.class, () -> gpu.malloc(100 * MIB));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertTrue(e.getMessage().contains((200 * MIB) + " bytes in use"), e.getMessage());
      assertTrue(e.getMessage().contains((256 * MIB) + " bytes allowed"), e.getMessage());
      gpu.free(big);
      gpu.malloc(256 * MIB); // freed memory counts no more
      assertEquals(256 * MIB, b.backend.deviceBytesInUse());
      assertEquals(256 * MIB, gpu.bytesInUse());
      assertEquals(256 * MIB, gpu.peakBytesInUse());
    }
  }

  @Test
  void anotherTenantsHandlesAreNotFound() {
    try (RemoteGpu alice = b.open("alice", "tok-alice", 0.5, 1);
        RemoteGpu bob = b.open("bob", "tok-bob", 0.5, 1)) {
      DevicePtr secret = alice.malloc(64);
      alice.copyHtoD(secret, ByteBuffer.wrap(new byte[64]));
      long trips = bob.roundTrips();
      // the client knows its own handles: a foreign one fails at the call, with no round trip
      // (the backend refuses foreign handles too: see VgpuFuzzTest)
      GpuException e = assertThrows(GpuException.class, () -> bob.copyDtoH(ByteBuffer.allocate(64), secret));
      assertEquals("NOT_FOUND", e.code());
      assertEquals("NOT_FOUND", assertThrows(GpuException.class, () -> bob.free(secret)).code());
      assertEquals("NOT_FOUND", assertThrows(GpuException.class,
          () -> bob.copyHtoD(secret, ByteBuffer.allocate(8))).code());
      assertEquals(trips, bob.roundTrips());
      GpuModule m = bob.loadModule(KernelCatalog.MODULE);
      GpuFunction relu = bob.function(m, KernelCatalog.RELU_F32);
      DevicePtr own = bob.malloc(64);
      e = assertThrows(GpuException.class, () -> bob.launch(relu, Dim3.of(1), Dim3.of(KernelCatalog.BLOCK),
          KernelArgs.of().ptr(secret).ptr(own).i32(16)));
      assertEquals("NOT_FOUND", e.code());
      assertTrue(e.getMessage().contains("relu_f32"), e.getMessage());
      // the session goes on
      bob.copyHtoD(own, ByteBuffer.allocate(64));
      // and alice's buffer is untouched
      alice.free(secret);
    }
  }

  @Test
  void unknownOrMissingTokensAreUnauthenticated() {
    for (String[] who : new String[][] {{"alice", ""}, {"alice", "tok-bob"}, {"", "nope"}, {"mallory", "tok-alice"}}) {
      GpuException e = assertThrows(GpuException.class, () -> b.open(who[0], who[1], 1, 1).close());
      assertEquals("UNAUTHENTICATED", e.code(), String.join("/", who));
      assertFalse(e.getMessage().contains("tok-"), "the token is never echoed: " + e.getMessage());
    }
    // the token alone names the tenant
    try (RemoteGpu anon = b.open("", "tok-bob", 1, 1)) {
      assertEquals("bob", anon.tenant());
    }
  }

  @Test
  void tenantLimitsFromTheTokensFileCapAllItsSessions() throws Exception {
    CpuGpu d = new CpuGpu(8L << 30); // room to reserve bob's default cap (nothing is allocated)
    TokenStore tokens = TokenStore.of(TOKENS).withLimits(Map.of("alice", new TokenStore.Limits(0.5, 3)));
    try (InProcessBackend limited = new InProcessBackend(d, tokens)) {
      try (RemoteGpu a = limited.open("alice", "tok-alice", 0.3, 2)) {
        GpuException e = assertThrows(GpuException.class, () -> limited.open("alice", "tok-alice", 0.3, 1));
        assertEquals("RESOURCE_EXHAUSTED", e.code());
        assertTrue(e.getMessage().contains("fGPU 0.5"), e.getMessage());
        e = assertThrows(GpuException.class, () -> limited.open("alice", "tok-alice", 0.1, 2));
        assertEquals("RESOURCE_EXHAUSTED", e.code());
        assertTrue(e.getMessage().contains("3 vMemory units"), e.getMessage());
        limited.open("alice", "tok-alice", 0.2, 1).close(); // exactly up to the limits
        limited.open("bob", "tok-bob", 1, 16).close(); // bob's line names no caps: the backend's defaults
        e = assertThrows(GpuException.class, () -> limited.open("bob", "tok-bob", 1, 17));
        assertTrue(e.getMessage().contains("16 vMemory units"), e.getMessage());
      }
      limited.open("alice", "tok-alice", 0.5, 3).close(); // a closed session's share is free again
    }
  }

  @Test
  void badQuotasAreRefusedAtOpen() {
    assertEquals("INVALID_ARGUMENT", assertThrows(GpuException.class,
        () -> b.open("alice", "tok-alice", 1, SessionHandler.MAX_VMEM_UNITS + 1)).code());
  }

  /** 1000 sessions with allocations, half closed, half dropped with their channel: nothing leaks. */
  @Test
  void endedSessionsFreeEverything() throws Exception {
    for (int i = 0; i < 1000; i++) {
      if (i % 2 == 0) {
        try (RemoteGpu g = b.open("alice", "tok-alice", 0.1, 1)) {
          g.malloc(MIB);
          g.malloc(3 * MIB + 1);
        }
      } else {
        ManagedChannel ch = b.newChannel();
        RemoteGpu g = new RemoteGpu(ch, false,
            new io.edgepipe.vgpu.remote.RemoteSpec("in-process", 1, "bob", "tok-bob", 0.1, 1, "dies"));
        g.malloc(2 * MIB);
        ch.shutdownNow(); // the process "dies": no close, the stream is cancelled
      }
    }
    waitFor(() -> b.backend.sessions() == 0 && b.backend.deviceBytesInUse() == 0);
    assertEquals(0, b.backend.deviceBytesInUse());
    assertEquals(0, device.bytesInUse(), "the device itself holds nothing");
    assertEquals(0, device.allocations());
  }

  @Test
  void statusListsSessionsMemoryAndShare() throws InterruptedException {
    try (RemoteGpu alice = b.open("alice", "tok-alice", 0.25, 2)) {
      alice.malloc(5 * MIB);
      // the scheduler adds a job's busy time just after the job (which sent the reply) returns
      waitFor(() -> b.backend.status().getSessions(0).getBusyNanos() > 0);
      StatusReply s = b.backend.status();
      assertEquals("cpu", s.getDeviceName());
      assertEquals(1, s.getSessionsCount());
      assertEquals("alice", s.getSessions(0).getTenant());
      assertEquals(5 * MIB, s.getSessions(0).getBytesInUse());
      assertEquals(512 * MIB, s.getSessions(0).getBytesAllowed());
      assertEquals(0.25, s.getSessions(0).getFgpu());
      assertTrue(s.getSessions(0).getBusyNanos() > 0);
    }
  }

  @Test
  void batchFailureNamesTheOpAndKeepsEarlierResults() {
    try (RemoteGpu gpu = b.open("alice", "tok-alice", 1, 1)) {
      DevicePtr a = gpu.malloc(8);
      gpu.copyHtoDAsync(a, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
      ByteBuffer first = ByteBuffer.allocate(8);
      gpu.copyDtoHAsync(first, a);
      long trips = gpu.roundTrips();
      // malloc goes out at once with what is queued; only the backend knows the quota
      GpuException e = assertThrows(GpuException.class, () -> gpu.malloc(300 * MIB));
      assertEquals(trips + 1, gpu.roundTrips());
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertTrue(e.getMessage().contains("op 2 (malloc of"), e.getMessage());
      assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, first.array());
      assertEquals(8, gpu.bytesInUse());
    }
  }

  @Test
  void forgedOrFreedPointersAreNotFoundAtTheCall() {
    try (RemoteGpu gpu = b.open("alice", "tok-alice", 1, 1)) {
      DevicePtr a = gpu.malloc(8);
      long trips = gpu.roundTrips();
      assertEquals("NOT_FOUND", assertThrows(GpuException.class,
          () -> gpu.copyHtoDAsync(new DevicePtr(a.handle() + 1_000_000, 8), ByteBuffer.allocate(8))).code());
      // a forged size does not get past the real one
      assertEquals("INVALID_ARGUMENT", assertThrows(GpuException.class,
          () -> gpu.copyHtoDAsync(new DevicePtr(a.handle(), 1 << 20), ByteBuffer.allocate(16))).code());
      gpu.free(a);
      assertEquals("NOT_FOUND", assertThrows(GpuException.class, () -> gpu.free(a)).code());
      assertEquals(trips + 1, gpu.roundTrips());
    }
  }

  @Test
  void badLaunchFailsAtTheCallWithoutARoundTrip() {
    try (RemoteGpu gpu = b.open("alice", "tok-alice", 1, 1)) {
      GpuFunction relu = gpu.function(gpu.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
      DevicePtr small = gpu.malloc(16);
      long trips = gpu.roundTrips();
      GpuException e = assertThrows(GpuException.class, () -> gpu.launch(relu, Dim3.ONE, Dim3.of(256),
          KernelArgs.of().ptr(small).ptr(small).i32(100)));
      assertEquals("INVALID_ARGUMENT", e.code());
      assertTrue(e.getMessage().contains("relu_f32: argument 0 (in)"), e.getMessage());
      assertEquals(trips, gpu.roundTrips());
    }
  }

  @Test
  void closedOrLostDevicesAreUnavailable() throws Exception {
    RemoteGpu gpu = b.open("alice", "tok-alice", 1, 1);
    gpu.close();
    assertEquals("UNAVAILABLE", assertThrows(GpuException.class, () -> gpu.malloc(1)).code());
    RemoteGpu other = b.open("bob", "tok-bob", 1, 1);
    b.backend.stop(0);
    assertEquals("UNAVAILABLE", assertThrows(GpuException.class, () -> other.malloc(1)).code());
    other.close();
  }

  static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!cond.getAsBoolean() && System.nanoTime() < end) {
      Thread.sleep(10);
    }
  }
}
