package io.edgepipe.experiments.bench;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's fault: the vGPU backend restarting under a stage. Each stage's real layer (conv with
 * its weights uploaded once, relu, maxpool; f16 hops from cnn.yaml) computes through vgpu:// on
 * loopback while the backend is stopped and restarted on the same port: the next frames are either
 * identical to the cpu device's or fail with UNAVAILABLE, never hang, and later frames succeed.
 */
class StageOverVgpuRestartTest {
  private static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();

  private VgpuBackend backend;
  private int port;

  private void start() throws Exception {
    backend = VgpuBackend.onAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), new CpuGpu(),
        TokenStore.of(Map.of("edge1", "s3cret"))).start();
    port = backend.port();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (backend != null) {
      backend.stop(0);
    }
  }

  private static final class Chain {
    final PipelineSpec spec;
    final List<GpuLayer> layers = new ArrayList<>();

    Chain(PipelineSpec spec, io.edgepipe.vgpu.Gpu gpu) {
      this.spec = spec;
      for (int i = 0; i < spec.layers().size(); i++) {
        layers.add(Layers.create(spec.layers().get(i), spec.shapes().get(i), gpu));
      }
    }

    /** Each stage's output for frame {@code seq}, one stage after the other like the pipeline. */
    List<ByteBuffer> frame(int seq) {
      List<ByteBuffer> out = new ArrayList<>();
      ByteBuffer payload = ByteBuffer.wrap(StageVgpuBench.payload(spec.input(), spec.inputType(), seq));
      for (int i = 0; i < layers.size(); i++) {
        TensorShape shape = spec.shapes().get(i);
        DType type = spec.hopTypes().get(i);
        payload = layers.get(i).run(payload.asReadOnlyBuffer(), type, shape);
        out.add(payload);
      }
      return out;
    }
  }

  @Test
  void stagesSurviveABackendRestart() throws Exception {
    PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/cnn.yaml")).withInput(36, 52);
    Chain reference = new Chain(spec, new CpuGpu());
    start();
    try (RemoteGpu gpu = RemoteGpu.connect(new RemoteSpec(HOST, port, "edge1", "s3cret", 1, 1, "stage", 3_000, 1_000))) {
      Chain remote = new Chain(spec, gpu);
      assertEquals(reference.frame(1), remote.frame(1));

      // restarted between frames: invisible
      backend.stop(0);
      start();
      assertEquals(reference.frame(2), remote.frame(2), "exact after a restart: conv's weights were replayed");
      assertEquals(1, gpu.reconnects());
      long trips = gpu.roundTrips();
      assertEquals(reference.frame(3), remote.frame(3));
      assertEquals(trips + 3, gpu.roundTrips(), "one round trip per frame per stage again");

      // down for a while: frames fail with UNAVAILABLE within the reconnect window, never hang
      backend.stop(0);
      for (int seq = 4; seq < 7; seq++) {
        int s = seq;
        GpuException e = assertTimeoutPreemptively(Duration.ofSeconds(6),
            () -> assertThrows(GpuException.class, () -> remote.frame(s)));
        assertEquals("UNAVAILABLE", e.code(), e.getMessage());
      }
      // back on the same port: later frames succeed again, exactly
      start();
      for (int seq = 7; seq < 10; seq++) {
        assertEquals(reference.frame(seq), remote.frame(seq), "frame " + seq);
      }
      assertEquals(2, gpu.reconnects());
      remote.layers.forEach(GpuLayer::close);
    }
    reference.layers.forEach(GpuLayer::close);
    long end = System.nanoTime() + 5_000_000_000L;
    while (backend.deviceBytesInUse() > 0 && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertEquals(0, backend.deviceBytesInUse());
    assertTrue(backend.sessions() == 0);
  }
}
