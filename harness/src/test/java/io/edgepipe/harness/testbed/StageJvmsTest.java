package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A testbed process's stage, from its command line. */
class StageJvmsTest {
  @Test
  void stageAndProducerJvmsAreKnownByTheirMainClass() {
    assertEquals("maxpool", StageJvms.stageOf(List.of("java", "-Xmx1g", "-cp", "a.jar",
        TestbedStage.class.getName(), "maxpool", "--spec", "thesis.yaml")));
    assertEquals("producer", StageJvms.stageOf(List.of("java", "-cp", "a.jar", TestbedProducer.class.getName(), "--x")));
    assertNull(StageJvms.stageOf(List.of("ip", "netns", "exec", "edgepipe-ad-edge", "java")));
    assertNull(StageJvms.stageOf(List.of("java", TestbedStage.class.getName())), "no stage name after it");
  }
}
