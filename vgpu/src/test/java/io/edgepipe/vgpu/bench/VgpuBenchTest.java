package io.edgepipe.vgpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.backend.TokenStore;
import io.edgepipe.vgpu.backend.VgpuBackend;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class VgpuBenchTest {
  @Test
  void localAndRemoteAgreeAndRemoteIsOneRoundTripPerFrame() throws Exception {
    VgpuBackend backend = VgpuBackend.onLoopback(new CpuGpu(), TokenStore.of(Map.of("bench", "b"))).start();
    try {
      VgpuBench.Config cfg = new VgpuBench.Config(
          List.of(new VgpuBench.Size(33, 17), new VgpuBench.Size(160, 120)), 1, 5, 4, 3, 1);
      Map<String, Supplier<Gpu>> devices = new LinkedHashMap<>();
      devices.put("cpu", CpuGpu::new);
      devices.put("vgpu", () -> Devices.open("vgpu://127.0.0.1:" + backend.port() + "?tenant=bench&token=b", Map.of()));
      List<VgpuBench.Result> r = new VgpuBench(cfg).run(devices);
      System.out.print(VgpuBench.table(r));
      assertEquals(4, r.size());
      for (int i = 0; i < 2; i++) {
        VgpuBench.Result local = r.get(i);
        VgpuBench.Result remote = r.get(i + 2);
        assertEquals(local.outputCrc(), remote.outputCrc(), "same output on both devices at " + local.size());
        assertTrue(Double.isNaN(local.roundTripsPerFrame()));
        assertTrue(Double.isNaN(local.deviceMsPerFrame()));
        assertEquals(1.0, remote.roundTripsPerFrame());
        assertTrue(remote.msPerFrame() > 0);
        assertTrue(remote.deviceMsPerFrame() > 0 && remote.deviceMsPerFrame() <= remote.msPerFrame());
        assertEquals(local.deviceBytes(), remote.deviceBytes());
        assertEquals(1, remote.quotaFor(30).vmemUnits());
      }
      assertEquals(0, backend.deviceBytesInUse());
    } finally {
      backend.stop();
    }
  }
}
