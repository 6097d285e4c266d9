package io.edgepipe.vgpu.remote;

import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up the shared-memory link tests share: a vgpu-backend on loopback over a cpu device,
 * started before each test and stopped after it (a test may replace it, the one then in
 * {@link #backend} is stopped), and vGPU sessions opened on it. Skipped without a writable /dev/shm.
 */
abstract class OnLoopbackBackend {
  static final String TOKEN = "s3cret";
  /** The tenant {@link #TOKEN} belongs to. */
  static final TokenStore TOKENS = TokenStore.of(Map.of("edge1", TOKEN));

  VgpuBackend backend;

  @BeforeEach
  void startBackend() throws Exception {
    Assumptions.assumeTrue(SharedMemory.available(), "needs a writable /dev/shm");
    backend = VgpuBackend.onLoopback(new CpuGpu(), TOKENS).start();
  }

  @AfterEach
  void stopBackend() throws InterruptedException {
    if (backend != null) {
      backend.stop();
    }
  }

  /** A session on the backend; {@code query} adds options ({@code "&shm=off"}, {@code "&codec=zstd"}, ...). */
  Gpu open(String query) {
    return Devices.open("vgpu://127.0.0.1:" + backend.port() + "?token=" + TOKEN + query, Map.of());
  }
}
