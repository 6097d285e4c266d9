package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the stage processes of a ProcessRun find in their environment. */
class StageEnvironmentTest {
  private static final String KT = ProcessRun.KERNEL_THREADS_ENV;

  @Test
  void stagesSideBySideShareTheCoresOutForTheirKernels() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(String.valueOf(Math.max(1, cores / 3)), ProcessRun.stageEnvironment(3, Map.of(), Map.of()).get(KT));
    assertEquals(String.valueOf(cores), ProcessRun.stageEnvironment(1, Map.of(), Map.of()).get(KT));
    assertEquals("1", ProcessRun.stageEnvironment(cores + 1, Map.of(), Map.of()).get(KT));
  }

  @Test
  void aSettingOfTheCallerWins() {
    // inherited from this JVM's environment: the stages inherit it as it is, nothing is added
    assertFalse(ProcessRun.stageEnvironment(3, Map.of(KT, "0"), Map.of()).containsKey(KT));
    // asked for explicitly (bench pipeline --compare-env): that value
    assertEquals("0", ProcessRun.stageEnvironment(3, Map.of(), Map.of(KT, "0")).get(KT));
    assertEquals("x", ProcessRun.stageEnvironment(3, Map.of(), Map.of("OTHER", "x")).get("OTHER"));
  }
}
