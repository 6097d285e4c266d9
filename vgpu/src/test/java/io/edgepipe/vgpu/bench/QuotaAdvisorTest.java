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
}
