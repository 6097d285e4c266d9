package io.edgepipe.vgpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.cpu.CpuGpu;
import org.junit.jupiter.api.Test;

class MemoryBandwidthTest {
  @Test
  void peakFromTheDriversAttributesByHand() {
    // an H100 SXM reports 2,619,000 kHz and 5120 bits: 2.619e9 x 5120 x 2 / 8 = 3,352,320,000,000 B/s
    MemoryBandwidth h100 = MemoryBandwidth.ofMemoryClock(2_619_000, 5120);
    assertTrue(h100.known());
    assertEquals(3_352_320_000_000.0, h100.bytesPerSecond(), 1);
    assertEquals(3352.32, h100.gigabytesPerSecond(), 1e-9);
    assertEquals("", h100.note());
    // a small one: 1000 kHz x 64 bits x 2 / 8 = 16,000,000 B/s
    assertEquals(16e6, MemoryBandwidth.ofMemoryClock(1000, 64).bytesPerSecond(), 1e-6);
  }

  @Test
  void zeroAttributesAreUnknownWithTheValuesSaid() {
    MemoryBandwidth b = MemoryBandwidth.ofMemoryClock(0, 5120);
    assertFalse(b.known());
    assertTrue(Double.isNaN(b.gigabytesPerSecond()));
    assertTrue(b.note().contains("0 kHz"), b.note());
  }

  @Test
  void eitherKnownOrUnknownWithAReason() {
    assertThrows(IllegalArgumentException.class, () -> MemoryBandwidth.unknown(" "));
    assertThrows(IllegalArgumentException.class, () -> new MemoryBandwidth(1e9, "why"));
    assertThrows(IllegalArgumentException.class, () -> new MemoryBandwidth(-1, ""));
  }

  @Test
  void theCpuDeviceSaysWhyItCannotTell() {
    try (CpuGpu cpu = new CpuGpu()) {
      MemoryBandwidth b = cpu.memoryBandwidth();
      assertFalse(b.known());
      assertTrue(b.note().startsWith("cpu: "), b.note());
    }
  }
}
