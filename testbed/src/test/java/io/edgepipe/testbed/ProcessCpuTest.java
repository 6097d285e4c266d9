package io.edgepipe.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {
  @Test
  void readsUserAndSystemTicksPastAnAwkwardCommandName() {
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 70 0 0 20 0 30 0 123 0 0";
    assertEquals(3.2, ProcessCpu.parse(stat), 1e-9); // (250 + 70) ticks of 10 ms
  }

  @Test
  void thisProcessHasUsedSomeCpuAndAGoneOneIsNaN() {
    assertTrue(ProcessCpu.seconds(ProcessHandle.current().pid()) > 0);
    assertTrue(Double.isNaN(ProcessCpu.seconds(Integer.MAX_VALUE)));
  }
}
