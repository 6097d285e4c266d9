package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPU each stage process used, from the cumulative readings its frames carry. */
class TimingWindowCpuTest {
  /** A frame through producer (edge) and conv on {@code convNode}, each stamped with its process's CPU so far. */
  static Frame frame(long seq, long at, long producerCpu, String convNode, long convCpu) {
    return Frame.newBuilder().setFlowId("cam0").setSeq(seq).setCaptureTimeUs(at)
        .addTimings(StageTiming.newBuilder().setStage("producer").setNode("edge").setReceivedUs(at)
            .setProcessedUs(at + 100).setSentUs(at + 100).setProcessCpuUs(producerCpu))
        .addTimings(StageTiming.newBuilder().setStage("conv").setNode(convNode).setReceivedUs(at + 200)
            .setProcessedUs(at + 1_200).setSentUs(at + 1_200).setProcessCpuUs(convCpu))
        .build();
  }

  @Test
  void eachProcessReportsItsCpuBetweenItsReadings() {
    TimingWindow w = new TimingWindow();
    w.add(frame(0, 1_000_000, 5_000, "edge", 70_000), 1_002_000);
    assertEquals(List.of(), w.drain().cpu(), "a first reading only sets the mark");
    for (int i = 1; i <= 10; i++) { // 10 frames over 100 ms: producer 1 ms each, conv 4 ms each
      w.add(frame(i, 1_000_000 + i * 10_000, 5_000 + i * 1_000, "edge", 70_000 + i * 4_000), 1_002_000 + i * 10_000);
    }
    List<TimingWindow.ProcessCpu> cpu = w.drain().cpu();
    assertEquals(List.of(new TimingWindow.ProcessCpu("producer", "edge", 10, 100_000, 10_000),
        new TimingWindow.ProcessCpu("conv", "edge", 10, 100_000, 40_000)), cpu);
  }

  @Test
  void aProcessThatIdledReportsTheIdleSpanWithItsNextFrames() {
    TimingWindow w = new TimingWindow();
    w.add(frame(0, 1_000_000, 5_000, "edge", 70_000), 1_002_000);
    w.drain();
    // conv moves to the server: its edge process idles for 2 s (10 ms of background CPU)
    w.add(frame(1, 1_010_000, 6_000, "server", 1_000), 1_012_000);
    w.drain();
    w.add(frame(2, 3_010_000, 26_000, "edge", 84_000), 3_012_000);
    List<TimingWindow.ProcessCpu> cpu = w.drain().cpu();
    assertEquals(new TimingWindow.ProcessCpu("conv", "edge", 1, 2_010_000, 14_000), cpu.get(1));
  }

  @Test
  void aRestartedProcessStartsAfresh() {
    TimingWindow w = new TimingWindow();
    w.add(frame(0, 1_000_000, 5_000, "edge", 70_000), 1_002_000);
    w.drain();
    w.add(frame(1, 1_010_000, 6_000, "edge", 300), 1_012_000); // conv's counter went back: a new JVM
    assertEquals(1, w.drain().cpu().size());
    w.add(frame(2, 1_020_000, 7_000, "edge", 2_300), 1_022_000);
    assertEquals(new TimingWindow.ProcessCpu("conv", "edge", 1, 10_000, 2_000), w.drain().cpu().get(1));
  }
}
