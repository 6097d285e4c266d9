package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.bench.RawSession;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.proto.Arg;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.GetFunction;
import io.edgepipe.vgpu.proto.Launch;
import io.edgepipe.vgpu.proto.LoadModule;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.proto.ServerMessage;
import io.edgepipe.vgpu.proto.StatusReply;
import io.edgepipe.vgpu.proto.StatusRequest;
import io.edgepipe.vgpu.proto.VgpuGrpc;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each attack of a hostile tenant (a client written from vgpu.proto) on a backend with the cpu
 * device over loopback TCP: the attacker is refused or bounded, the honest tenant's results stay
 * exact, and the backend's retained heap returns to its level before the attack. Retained heap is
 * read after GC in this JVM (deterministic enough for a test); resident memory of a separate
 * backend process is what {@code pipeline bench vgpu-tenants} measures.
 */
class HostileTenantTest {
  private static final long MIB = 1L << 20;
  private static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();
  private static final List<String> TOKENS = List.of("honest:t-honest", "hog:t-hog", "few:t-few max_sessions=2",
      "ops:t-ops role=admin");

  private VgpuBackend backend;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private VgpuBackend start(CpuGpu device, BackendLimits limits) throws Exception {
    backend = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), device,
        TokenStore.parse(TOKENS, "test tokens"), limits).start();
    return backend;
  }

  private ManagedChannel channel() {
    ManagedChannel c = NettyChannelBuilder.forAddress(HOST, backend.port()).usePlaintext()
        .maxInboundMessageSize(512 << 20).build();
    channels.add(c);
    return c;
  }

  private RemoteGpu connect(String tenant, double fgpu, int vmem) {
    return RemoteGpu.connect(new RemoteSpec(HOST, backend.port(), tenant, "t-" + tenant, fgpu, vmem, "test"));
  }

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    if (backend != null) {
      backend.stop();
    }
  }

  // ---------------------------------------------------------------- admission by reservation

  @Test
  void reservationsNeverPassTheDeviceAndAnAllocationInsideOneAlwaysSucceeds() throws Exception {
    // 600 MiB less the 1/16 margin: two 256 MiB units can be reserved, not three
    start(new CpuGpu(600 * MIB), BackendLimits.defaults());
    assertEquals(600 * MIB - 600 * MIB / 16, backend.deviceBytesReservable());
    try (RemoteGpu honest = connect("honest", 0.5, 1); RemoteGpu hog = connect("hog", 0.5, 1)) {
      // the hog fills its whole reservation ...
      DevicePtr big = hog.malloc(256 * MIB);
      // ... and cannot get more: no second session fits, and the honest tenant keeps its memory
      GpuException e = assertThrows(GpuException.class, () -> connect("hog", 0.1, 1));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertTrue(e.getMessage().contains("512 MiB reserved by open sessions")
          && e.getMessage().contains("50 MiB free of 562 MiB"), e.getMessage());
      DevicePtr mine = honest.malloc(16 * MIB);
      DevicePtr rest = honest.malloc(239 * MIB); // the unit, but for a MiB to run a frame in
      roundTripIsExact(honest);
      honest.free(rest);
      honest.free(mine);
      hog.free(big);
    }
    assertEquals(0, backend.deviceBytesReserved(), "closed sessions give their reservations back");
  }

  @Test
  void aTenantWithoutCapsGetsTheBackendsDefaultNotEverything() throws Exception {
    start(new CpuGpu(64L << 30), BackendLimits.defaults().withTenantDefaults(new TokenStore.Limits(1.0, 2, 8, false)));
    try (RemoteGpu a = connect("hog", 0.2, 2)) {
      GpuException e = assertThrows(GpuException.class, () -> connect("hog", 0.2, 1));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertTrue(e.getMessage().contains("may hold 2 vMemory units"), e.getMessage());
    }
  }

  @Test
  void aTenantHasAtMostItsSessionLimitOpen() throws Exception {
    start(new CpuGpu(8L << 30), BackendLimits.defaults());
    try (RemoteGpu a = connect("few", 0.1, 1); RemoteGpu b = connect("few", 0.1, 1)) {
      GpuException e = assertThrows(GpuException.class, () -> connect("few", 0.1, 1));
      assertEquals("RESOURCE_EXHAUSTED", e.code());
      assertTrue(e.getMessage().contains("2 sessions open at once"), e.getMessage());
      connect("honest", 0.1, 1).close(); // others are not affected
    }
    connect("few", 0.1, 1).close(); // closed sessions count no more
  }

  // ---------------------------------------------------------------- host memory

  @Test
  void oversizedMessagesAreRefusedBeforeTheyAreHeldAndTheHeapReturns() throws Exception {
    BackendLimits limits = BackendLimits.defaults().withMessages(16 << 20, 1L << 30);
    start(new CpuGpu(8L << 30), limits);
    long before = retainedHeap();
    List<RawSession> attackers = new ArrayList<>();
    ByteString payload = ByteString.copyFrom(new byte[40 << 20]); // 40 MiB into a 16-byte buffer
    for (int i = 0; i < 10; i++) {
      RawSession s = new RawSession(channel(), "t-hog");
      assertTrue(s.open(0.05, 1).hasOpened());
      s.batch(1, List.of(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(1).setData(payload)).build()));
      attackers.add(s);
    }
    for (RawSession s : attackers) {
      Status st = s.awaitEnd(10_000);
      assertNotNull(st, "an oversized message ends the stream");
      // the backend refuses it with RESOURCE_EXHAUSTED and resets the stream; the client may see either
      assertTrue(st.getCode() == Status.Code.RESOURCE_EXHAUSTED || st.getCode() == Status.Code.CANCELLED, st.toString());
    }
    payload = null;
    try (RemoteGpu honest = connect("honest", 0.5, 1)) {
      roundTripIsExact(honest);
    }
    awaitNoSessions();
    assertHeapReturned(before);
  }

  @Test
  void unreadRepliesEndTheSessionAndItsMemoryReturns() throws Exception {
    BackendLimits limits = BackendLimits.defaults().withMessages(64 << 20, 1L << 30).withTimeouts(1_000, 10_000, 10_000,
        60_000);
    start(new CpuGpu(8L << 30), limits);
    long before = retainedHeap();
    List<RawSession> attackers = new ArrayList<>();
    int n = 4;
    for (int i = 0; i < n; i++) {
      RawSession s = new RawSession(channel(), "t-hog");
      assertTrue(s.open(0.05, 1).hasOpened());
      s.batch(1, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(48 * MIB)).build()));
      long h = s.read(5_000).getResult().getHandles(0);
      // asks for a 48 MiB read-back and never reads it
      s.batch(2, List.of(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(h).setBytes(48 * MIB)).build()));
      attackers.add(s);
    }
    assertTrue(backend.hostBytesReserved() <= limits.hostBudgetBytes());
    try (RemoteGpu honest = connect("honest", 0.5, 1)) {
      roundTripIsExact(honest); // served while the replies hang
    }
    awaitNoSessions(); // the reply timeout ended every attacker's session
    assertEquals(0, backend.deviceBytesInUse());
    assertEquals(0, backend.hostBytesReserved());
    attackers.forEach(RawSession::cancel);
    assertHeapReturned(before);
  }

  @Test
  void readRepliesLeaveNoDeadlinesBehind() throws Exception {
    // each reply the transport does not take at once gets a reply deadline; once read, that
    // deadline must leave the timer at once (it used to wait out the 30 s timeout holding the
    // reply's payload: a tenant at 100 replies/s of 256 KiB kept 750 MiB of heap alive)
    start(new CpuGpu(1L << 30), BackendLimits.defaults());
    int n = 64 * 1024;
    try (RemoteGpu honest = connect("honest", 0.5, 1)) {
      DevicePtr p = honest.malloc(4L * n);
      ByteBuffer back = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < 200; i++) {
        honest.copyDtoHAsync(back, p); // a 256 KiB reply: more than the transport takes at once
        honest.synchronize();
      }
      assertTrue(backend.pendingDeadlines() <= 2, backend.pendingDeadlines() + " deadlines still queued after 200"
          + " replies were read");
    }
  }

  // ---------------------------------------------------------------- sharing inside a batch

  @Test
  void aBatchOverTheOpCapIsRefusedAndTheSessionStaysUsable() throws Exception {
    start(new CpuGpu(8L << 30), BackendLimits.defaults().withBatches(1000, 2_000_000));
    RawSession s = new RawSession(channel(), "t-hog");
    assertTrue(s.open(0.5, 1).hasOpened());
    List<Op> ops = Collections.nCopies(200_000, Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(1)).build());
    s.batch(1, ops);
    BatchResult r = s.read(10_000).getResult();
    assertEquals("INVALID_ARGUMENT", r.getError().getCode());
    assertTrue(r.getError().getMessage().contains("at most 1000 ops"), r.getError().getMessage());
    assertEquals(0, r.getHandlesCount(), "nothing of it ran");
    s.batch(2, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(16)).build()));
    assertEquals(1, s.read(5_000).getResult().getHandlesCount());
    s.cancel();
    // the client library splits long queues at the cap the session announced
    try (RemoteGpu g = connect("honest", 0.5, 1)) {
      long trips = g.roundTrips();
      DevicePtr p = g.malloc(4096);
      GpuModule m = g.loadModule(io.edgepipe.vgpu.KernelCatalog.MODULE);
      GpuFunction relu = g.function(m, io.edgepipe.vgpu.KernelCatalog.RELU_F32);
      for (int i = 0; i < 2500; i++) {
        g.launch(relu, new Dim3(4, 1, 1), new Dim3(256, 1, 1), KernelArgs.of().ptr(p).ptr(p).i32(1024));
      }
      g.synchronize();
      assertTrue(g.roundTrips() - trips >= 3 + 3, "2500 launches at 1000 per batch take three batches");
    }
  }

  /**
   * A hostile batch of 2 s of device work runs in slices: an honest tenant's small batch sent
   * after it started is answered before it ends (the structural form of "the honest round trip
   * stays within a few times its unloaded latency"; the bench measures the latency itself).
   */
  @Test
  void aLongBatchIsSlicedSoAnotherTenantsCallCompletesBeforeIt() throws Exception {
    SpinGpu spin = new SpinGpu();
    try (InProcessBackend b = new InProcessBackend(spin, TokenStore.parse(TOKENS, "t"),
        BackendLimits.defaults().withBatches(4096, 2_000_000))) {
      RemoteGpu hog = b.open("hog", "t-hog", 0.5, 1);
      RemoteGpu honest = b.open("honest", "t-honest", 0.5, 1);
      GpuFunction hogSpin = hog.function(hog.loadModule(SpinGpu.MODULE), SpinGpu.SPIN);
      GpuFunction mySpin = honest.function(honest.loadModule(SpinGpu.MODULE), SpinGpu.SPIN);
      for (int i = 0; i < 4000; i++) {
        hog.launch(hogSpin, Dim3.ONE, Dim3.ONE, KernelArgs.of().i32(500)); // 4000 x 0.5 ms = 2 s
      }
      AtomicLong hogDone = new AtomicLong();
      Thread t = new Thread(() -> {
        hog.synchronize();
        hogDone.set(System.nanoTime());
      });
      t.start();
      Thread.sleep(200); // the hog's batch is on the device
      honest.launch(mySpin, Dim3.ONE, Dim3.ONE, KernelArgs.of().i32(100));
      honest.synchronize();
      long honestDone = System.nanoTime();
      t.join(30_000);
      assertTrue(hogDone.get() > 0, "the hog's batch completed");
      assertTrue(honestDone < hogDone.get(), "the honest call completed before the hostile batch");
      hog.close();
      honest.close();
    }
  }

  // ---------------------------------------------------------------- nothing about others

  @Test
  void statusShowsATenantItsOwnSessionsAndTheAdminTokenAll() throws Exception {
    start(new CpuGpu(8L << 30), BackendLimits.defaults());
    try (RemoteGpu honest = connect("honest", 0.5, 1); RemoteGpu hog = connect("hog", 0.5, 1)) {
      hog.malloc(1000);
      StatusReply mine = status("t-honest");
      assertEquals(1, mine.getSessionsCount());
      assertEquals("honest", mine.getSessions(0).getTenant());
      assertEquals(0, mine.getDeviceBytesInUse(), "totals cover the viewer's own sessions");
      StatusReply all = status("t-ops");
      assertEquals(2, all.getSessionsCount());
      assertEquals(1000, all.getDeviceBytesInUse());
      // the admin token reads status only
      GpuException e = assertThrows(GpuException.class, () -> connect("ops", 0.1, 1));
      assertEquals("PERMISSION_DENIED", e.code());
    }
  }

  @Test
  void handlesAreRandomPerSessionAndMeanNothingElsewhere() throws Exception {
    start(new CpuGpu(8L << 30), BackendLimits.defaults());
    RawSession a = new RawSession(channel(), "t-hog");
    RawSession b = new RawSession(channel(), "t-honest");
    String idA = a.open(0.5, 1).getOpened().getSessionId();
    String idB = b.open(0.5, 1).getOpened().getSessionId();
    List<Long> handles = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      a.batch(i + 1, List.of(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(16)).build()));
      handles.add(a.read(5_000).getResult().getHandles(0));
    }
    // random 63-bit numbers: neither small nor consecutive (chance of a false failure ~2^-40)
    for (long h : handles) {
      assertTrue(h > (1L << 24), "handle " + h);
    }
    assertTrue(Math.abs(handles.get(1) - handles.get(0)) > 1 && Math.abs(handles.get(2) - handles.get(1)) > 1,
        "handles " + handles);
    assertFalse(idA.matches("\\d+") && idB.matches("\\d+") && Math.abs(Long.parseLong(idA) - Long.parseLong(idB)) < 10);
    b.batch(1, List.of(Op.newBuilder().setDtoh(CopyDtoH.newBuilder().setSrc(handles.get(0)).setBytes(16)).build()));
    assertEquals("NOT_FOUND", b.read(5_000).getResult().getError().getCode());
    a.cancel();
    b.cancel();
  }

  @Test
  void aStreamThatNeverOpensAndASilentConnectionAreClosed() throws Exception {
    start(new CpuGpu(8L << 30), BackendLimits.defaults().withTimeouts(30_000, 300, 500, 60_000));
    RawSession silent = new RawSession(channel(), "t-hog");
    Status st = silent.awaitEnd(5_000);
    assertNotNull(st, "the stream was ended");
    assertEquals(Status.Code.DEADLINE_EXCEEDED, st.getCode(), st.toString());
    try (Socket raw = new Socket(HOST, backend.port())) {
      raw.setSoTimeout(5_000);
      long t0 = System.nanoTime();
      // the backend's SETTINGS frame comes first; then, with no client preface, the connection closes
      while (raw.getInputStream().read() >= 0) {
        assertTrue(System.nanoTime() - t0 < 4_000_000_000L, "a connection without a handshake is closed");
      }
      assertTrue(System.nanoTime() - t0 < 4_000_000_000L);
    }
  }

  // ---------------------------------------------------------------- helpers

  private StatusReply status(String token) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return VgpuGrpc.newBlockingStub(channel()).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .status(StatusRequest.getDefaultInstance());
  }

  /** An honest frame: relu of 4096 known floats, checked exactly. */
  private static void roundTripIsExact(RemoteGpu g) {
    int n = 4096;
    DevicePtr in = g.malloc(4L * n);
    DevicePtr out = g.malloc(4L * n);
    GpuFunction relu = g.function(g.loadModule(io.edgepipe.vgpu.KernelCatalog.MODULE), io.edgepipe.vgpu.KernelCatalog.RELU_F32);
    ByteBuffer host = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      host.putFloat(4 * i, i % 2 == 0 ? i : -i);
    }
    g.copyHtoDAsync(in, host);
    g.launch(relu, new Dim3((n + 255) / 256, 1, 1), new Dim3(256, 1, 1), KernelArgs.of().ptr(in).ptr(out).i32(n));
    ByteBuffer back = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    g.copyDtoHAsync(back, out);
    g.synchronize();
    for (int i = 0; i < n; i++) {
      assertEquals(i % 2 == 0 ? (float) i : 0f, back.getFloat(4 * i), "element " + i);
    }
    g.free(in);
    g.free(out);
  }

  private void awaitNoSessions() throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    while (backend.sessions() > 0 && System.currentTimeMillis() < end) {
      Thread.sleep(20);
    }
    assertEquals(0, backend.sessions(), "every session ended");
  }

  /** Heap in use after full collections: what the process really retains. */
  static long retainedHeap() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
      best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  /**
   * Retained heap back within 10% of its level before the attack, with 16 MiB of slack for what a
   * loaded JVM keeps around anyway (the attacks moved 200-400 MiB, so a leak of any of it fails).
   */
  private static void assertHeapReturned(long before) throws InterruptedException {
    long after = retainedHeap();
    long allowed = Math.max(before / 10, 16 * MIB);
    assertTrue(after - before <= allowed, "retained heap grew from " + before / MIB + " MiB to " + after / MIB
        + " MiB (allowed: +" + allowed / MIB + " MiB)");
  }
}
