package io.edgepipe.vgpu.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.ForwardingGpu;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vGPU backend restarting under a client that computes like a stage (weights uploaded once
 * with a blocking copy, per-frame buffers written by async copies and kernels, one sync per
 * frame): the session and its buffers come back, frames are identical to the cpu device's, and
 * nothing ever hangs.
 */
class BackendRestartTest {
  private static final Map<String, String> TOKENS = Map.of("edge1", "s3cret");
  private static final int H = 24;
  private static final int W = 31;
  private static final int COUT = 4;

  private VgpuBackend backend;
  private int port;

  private void start() throws Exception {
    // the same port every time, as a restarted server process would have
    backend = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), new CpuGpu(),
        TokenStore.of(TOKENS)).start();
    port = backend.port();
  }

  private void stop() throws InterruptedException {
    backend.stop(0);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (backend != null) {
      backend.stop(0);
    }
  }

  private RemoteGpu connect(long timeoutMillis, long reconnectMillis) {
    return RemoteGpu.connect(new RemoteSpec(InetAddress.getLoopbackAddress().getHostAddress(), port, "edge1", "s3cret",
        1, 1, "restart-test", timeoutMillis, reconnectMillis));
  }

  /** What a conv stage holds: module, functions, weights uploaded once, per-frame buffers. */
  private static final class Stage {
    final Gpu gpu;
    final GpuFunction toF32;
    final GpuFunction conv;
    final DevicePtr raw;
    final DevicePtr in;
    final DevicePtr w;
    final DevicePtr b;
    final DevicePtr out;

    Stage(Gpu gpu) {
      this.gpu = gpu;
      GpuModule m = gpu.loadModule(KernelCatalog.MODULE);
      toF32 = gpu.function(m, KernelCatalog.U8_TO_F32);
      conv = gpu.function(m, KernelCatalog.CONV2D_F32);
      raw = gpu.malloc((long) H * W);
      in = gpu.malloc(4L * H * W);
      w = gpu.malloc(4L * COUT * 9);
      b = gpu.malloc(4L * COUT);
      out = gpu.malloc(4L * COUT * H * W);
      SplittableRandom r = new SplittableRandom(5);
      gpu.copyHtoD(w, floats(r, COUT * 9));
      gpu.copyHtoD(b, floats(r, COUT));
    }

    byte[] frame(int seq) {
      byte[] px = new byte[H * W];
      new SplittableRandom(seq).nextBytes(px);
      ByteBuffer result = ByteBuffer.allocate(4 * COUT * H * W);
      gpu.copyHtoDAsync(raw, ByteBuffer.wrap(px).asReadOnlyBuffer());
      gpu.launch(toF32, KernelCatalog.gridFor(H * W), Dim3.of(KernelCatalog.BLOCK), KernelArgs.of().ptr(raw).ptr(in).i32(H * W));
      gpu.launch(conv, KernelCatalog.gridFor(COUT * H * W), Dim3.of(KernelCatalog.BLOCK), KernelArgs.of()
          .ptr(in).ptr(w).ptr(b).ptr(out).i32(1).i32(H).i32(W).i32(COUT).i32(3).i32(1).i32(1).i32(H).i32(W));
      gpu.copyDtoHAsync(result, out);
      gpu.synchronize();
      return result.array();
    }

    private static ByteBuffer floats(SplittableRandom r, int n) {
      ByteBuffer bb = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        bb.putFloat((float) r.nextDouble(-1, 1));
      }
      return bb.flip();
    }
  }

  private static byte[] reference(int seq) {
    try (CpuGpu cpu = new CpuGpu()) {
      return new Stage(cpu).frame(seq);
    }
  }

  /** Restarted between two frames: the next frame re-establishes the session and is correct. */
  @Test
  void aRestartBetweenFramesIsInvisible() throws Exception {
    start();
    try (RemoteGpu gpu = connect(5_000, 5_000)) {
      Stage s = new Stage(gpu);
      assertArrayEquals(reference(1), s.frame(1));
      String before = gpu.sessionId();
      stop();
      start();
      long trips = gpu.roundTrips();
      assertArrayEquals(reference(2), s.frame(2), "the frame after the restart is exact (weights were replayed)");
      assertEquals(1, gpu.reconnects());
      assertNotEquals(before, gpu.sessionId());
      // open + two replay messages + the frame
      assertEquals(trips + 4, gpu.roundTrips());
      long t = gpu.roundTrips();
      assertArrayEquals(reference(3), s.frame(3));
      assertEquals(t + 1, gpu.roundTrips(), "back to one round trip per frame");
      assertEquals(5, backend.status().getSessions(0).getBuffers(), "the new session holds the stage's buffers");
    }
    BackendTestSupport.waitFor(() -> backend.deviceBytesInUse() == 0);
    assertEquals(0, backend.deviceBytesInUse());
  }

  /**
   * Down for longer than the reconnect window: frames fail with UNAVAILABLE (fast, never hanging),
   * and once the backend is back, later frames succeed again.
   */
  @Test
  void whileTheBackendIsDownFramesFailClearlyThenRecover() throws Exception {
    start();
    try (RemoteGpu gpu = connect(2_000, 300)) {
      Stage s = new Stage(gpu);
      assertArrayEquals(reference(1), s.frame(1));
      stop();
      for (int i = 0; i < 3; i++) {
        int seq = 10 + i;
        GpuException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> assertThrows(GpuException.class, () -> s.frame(seq)));
        assertEquals("UNAVAILABLE", e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("re-establishing it failed"), e.getMessage());
      }
      start();
      assertArrayEquals(reference(4), s.frame(4));
      assertArrayEquals(reference(5), s.frame(5));
      assertEquals(1, gpu.reconnects());
    }
  }

  /** The backend's process stops answering (a wedged device): DEADLINE_EXCEEDED, then recovery. */
  @Test
  void aHungBackendIsADeadlineNotAHang() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CpuGpu cpu = new CpuGpu();
    Gpu wedged = new ForwardingGpu(cpu) {
      @Override
      public void synchronize() {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.synchronize();
      }
    };
    backend = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), wedged,
        TokenStore.of(TOKENS)).start();
    port = backend.port();
    try (RemoteGpu gpu = connect(500, 2_000)) {
      GpuException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> assertThrows(GpuException.class, () -> gpu.malloc(64)));
      assertEquals("DEADLINE_EXCEEDED", e.code(), e.getMessage());
      release.countDown();
      DevicePtr p = gpu.malloc(64); // a new session
      gpu.copyHtoD(p, ByteBuffer.allocate(64));
      assertEquals(1, gpu.reconnects());
    } finally {
      release.countDown();
    }
  }

  /** Contents written by kernels are gone with the old session: reading them is refused, clearly. */
  @Test
  void lostContentsAreNamedUntilWrittenAgain() throws Exception {
    start();
    try (RemoteGpu gpu = connect(5_000, 5_000)) {
      GpuFunction relu = gpu.function(gpu.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
      DevicePtr a = gpu.malloc(64);
      DevicePtr c = gpu.malloc(64);
      gpu.copyHtoDAsync(a, ByteBuffer.allocate(64));
      gpu.launch(relu, Dim3.ONE, Dim3.of(KernelCatalog.BLOCK), KernelArgs.of().ptr(a).ptr(c).i32(16));
      gpu.synchronize();
      stop();
      start();
      ByteBuffer out = ByteBuffer.allocate(64);
      GpuException e = assertThrows(GpuException.class, () -> gpu.copyDtoH(out, c));
      assertEquals("UNAVAILABLE", e.code());
      assertTrue(e.getMessage().contains("lost its contents"), e.getMessage());
      assertTrue(e.getMessage().contains("buffer " + c.handle()), e.getMessage());
      gpu.copyHtoD(c, ByteBuffer.wrap(new byte[64]).put(0, (byte) 7));
      gpu.copyDtoH(out, c);
      assertEquals(7, out.get(0));
    }
  }

  @Test
  void withoutReconnectALostSessionStaysLost() throws Exception {
    start();
    try (RemoteGpu gpu = connect(2_000, 0)) {
      gpu.malloc(16);
      stop();
      start();
      assertEquals("UNAVAILABLE", assertThrows(GpuException.class, () -> gpu.malloc(16)).code());
      assertEquals("UNAVAILABLE", assertThrows(GpuException.class, () -> gpu.malloc(16)).code());
    }
  }
}
