package io.edgepipe.vgpu.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendMemoryTest {
  private static final long MIB = 1L << 20;

  @Test
  void aProcessStartedWithoutTheLaunchSettingsIsToldWhichAreMissing() {
    assertEquals(List.of("-Xms64m", "-Xmn32m", "-XX:+AlwaysPreTouch", "-XX:+ExplicitGCInvokesConcurrent",
        "MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=131072").stream().sorted().toList(),
        BackendMemory.missingLaunchSettings(List.of("-Xmx4g"), Map.of()).stream().sorted().toList());
    // the user's own heap floor and young-generation size count; a flag's mere prefix does not
    assertEquals(List.of("-XX:+ExplicitGCInvokesConcurrent"), BackendMemory.missingLaunchSettings(
        List.of("-Xms256m", "-Xmn64m", "-XX:+AlwaysPreTouch", "-XX:+ExplicitGCInvokesConcurrentX"),
        BackendMemory.ENVIRONMENT));
    assertTrue(BackendMemory.missingLaunchSettings(BackendMemory.JVM_FLAGS, BackendMemory.ENVIRONMENT).isEmpty());
  }

  @Test
  void theHeapHasSlackWhenMoreThanTwiceWhatIsNeededIsCommitted() {
    long young = 32 * MIB;
    // 12 MiB live, young cap 32: up to 2 x 44 + 16 = 104 MiB committed is fine
    assertFalse(BackendMemory.heapHasSlack(104 * MIB, 12 * MIB, young));
    assertTrue(BackendMemory.heapHasSlack(105 * MIB, 12 * MIB, young));
    // G1's 224 MiB after an expansion on a busy host, with the same 12 MiB live
    assertTrue(BackendMemory.heapHasSlack(224 * MIB, 12 * MIB, young));
    // 2 GiB of tenants' buffers live: a heap of 3 GiB committed is what they need
    assertFalse(BackendMemory.heapHasSlack(3072 * MIB, 2048 * MIB, young));
  }

  @Test
  void returningMemoryWorksInAnyJvm() {
    // a full collection here (no launch flags), and malloc_trim or the JVM's "not supported"
    BackendMemory.returnToSystem();
    BackendMemory.shrinkIfSlack();
  }
}
