package io.edgepipe.vgpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgepipe.vgpu.cpu.CpuGpu;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A bad copy is refused in the same words by every device (the cpu one here) and by the backend's checks. */
class CopyCheckTest {
  @Test
  void copiesPastTheBufferOrIntoAReadOnlyOneAreRefusedAlike() {
    try (Gpu gpu = new CpuGpu()) {
      DevicePtr p = gpu.malloc(8);
      assertEquals("INVALID_ARGUMENT: copyHtoD of 12 bytes into a buffer of 8 bytes",
          assertThrows(GpuException.class, () -> gpu.copyHtoD(p, ByteBuffer.allocate(12))).getMessage());
      assertEquals("INVALID_ARGUMENT: copyDtoH of 12 bytes from a buffer of 8 bytes",
          assertThrows(GpuException.class, () -> gpu.copyDtoH(ByteBuffer.allocate(12), p)).getMessage());
      assertEquals("INVALID_ARGUMENT: copyDtoH into a read-only buffer",
          assertThrows(GpuException.class, () -> gpu.copyDtoH(ByteBuffer.allocate(8).asReadOnlyBuffer(), p))
              .getMessage());
    }
    // a count off the wire is unsigned: a negative long is a huge one, never a fit
    assertEquals("INVALID_ARGUMENT: copyHtoD of 18446744073709551615 bytes into a buffer of 8 bytes",
        assertThrows(GpuException.class, () -> CopyCheck.htoD(-1, 8)).getMessage());
    assertEquals("INVALID_ARGUMENT: copyDtoH of 18446744073709551615 bytes from a buffer of 8 bytes",
        assertThrows(GpuException.class, () -> CopyCheck.dtoH(-1, 8)).getMessage());
  }
}
