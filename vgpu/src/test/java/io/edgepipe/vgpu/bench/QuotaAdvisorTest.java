package io.edgepipe.vgpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuotaAdvisorTest {
  @Test
  void sizesFromDeviceTimeAndPeakMemory() {
    // 5 ms per frame at 30 fps = 15% of the device, 18% with 1.2 headroom; 300 MiB -> 360 MiB -> 2 units
    QuotaAdvisor.Quota q = QuotaAdvisor.recommend(5e6, 30, 300L << 20, 1.2);
    assertEquals(0.18, q.fgpu(), 1e-9);
    assertEquals(2, q.vmemUnits());
    assertTrue(q.deviceFastEnough());
    // 50 ms per frame at 30 fps does not fit even the whole device
    q = QuotaAdvisor.recommend(50e6, 30, 0, 1.0);
    assertEquals(1.0, q.fgpu());
    assertEquals(1, q.vmemUnits());
    assertFalse(q.deviceFastEnough());
    assertThrows(IllegalArgumentException.class, () -> QuotaAdvisor.recommend(1, 0, 1, 1.2));
  }

  @Test
  void sizesAProfileForItsOwnRateOrATarget() {
    // 100 frames in 2 s (50 fps) with 0.6 s of device time: 30% of the device at its own pace
    QuotaAdvisor.Profile p = new QuotaAdvisor.Profile(100, 2_000_000_000L, 600_000_000L, 700L << 20);
    assertEquals(50, p.fps(), 1e-9);
    assertEquals(0.3, p.deviceShare(), 1e-9);
    QuotaAdvisor.Recommendation own = QuotaAdvisor.recommend(p, Double.NaN, 1.2);
    assertEquals(50, own.targetFps(), 1e-9);
    assertEquals(0.36, own.quota().fgpu(), 1e-9);
    assertEquals(4, own.quota().vmemUnits()); // 840 MiB
    QuotaAdvisor.Recommendation at10 = QuotaAdvisor.recommend(p, 10, 1.0);
    assertEquals(0.06, at10.quota().fgpu(), 1e-9);
    assertEquals(3, at10.quota().vmemUnits());
    assertTrue(at10.summary().contains("fgpu=0.06 vmem=3 (768 MiB) keep 10.0 fps"), at10.summary());
    assertFalse(QuotaAdvisor.recommend(p, 500, 1.0).quota().deviceFastEnough());
  }
}
