package io.edgepipe.models.plan;

import static io.edgepipe.models.TinyModels.node;
import static io.edgepipe.models.TinyModels.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.models.TinyModels;
import io.edgepipe.models.exec.ModelInput;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.models.onnx.proto.GraphProto;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerProfilerTest {
  private static ModelGraph twoRelus() {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(value("x", 1, 3, 8, 8))
        .addNode(node("Relu", "r0", new String[] {"x"}, "a"))
        .addNode(node("Relu", "r1", new String[] {"a"}, "b"))
        .addOutput(value("b", 1, 3, 8, 8));
    return OnnxImporter.read(TinyModels.model(g, 13), "tiny", Map.of());
  }

  private static final ModelInput INPUT = new ModelInput(8, 8, false, false, new float[] {1, 1, 1},
      new float[] {-100, -100, -100});

  @Test
  void aQuickProfileRunsItsWarmUpRoundsOnlyAndHasNoCpuFigure() {
    try (CpuGpu gpu = new CpuGpu()) {
      LayerProfiler.Result r = LayerProfiler.profile(twoRelus(), INPUT, new float[3 * 8 * 8], gpu, 3, 5);
      assertEquals(3, r.warmupRounds());
      assertEquals(List.of(), r.settling());
      assertTrue(Double.isNaN(r.wholeCpuMs()));
      assertTrue(Double.isNaN(r.wholeModelThreadsCpuMs()));
      assertEquals(2, r.layers().size());
      assertTrue(r.wholeMedianMs() > 0 && r.wholeP10Ms() <= r.wholeMedianMs());
    }
  }

  @Test
  void aSettledProfileWarmsUntilTwoBlocksAgreeAndMeasuresTheWholeModelsCpu() {
    try (CpuGpu gpu = new CpuGpu()) {
      LayerProfiler.Result r = LayerProfiler.profile(twoRelus(), INPUT, new float[3 * 8 * 8], gpu, 3, 5, true);
      List<LayerProfiler.Block> blocks = r.settling();
      assertTrue(blocks.size() >= 2, "a block is only settled against the one before it: " + blocks);
      assertEquals(3 + blocks.size() * WarmupSettle.BLOCK, r.warmupRounds());
      LayerProfiler.Block last = blocks.get(blocks.size() - 1);
      LayerProfiler.Block before = blocks.get(blocks.size() - 2);
      assertTrue(WarmupSettle.settled(before.wholeMedianMs(), fastest(blocks.subList(0, blocks.size() - 1)),
          last.wholeMedianMs(), last.compileMs(), last.wallMs()),
          "the warm-up ends at the first settled block: " + blocks);
      for (int i = 1; i < blocks.size() - 1; i++) {
        LayerProfiler.Block b = blocks.get(i);
        assertTrue(!WarmupSettle.settled(blocks.get(i - 1).wholeMedianMs(), fastest(blocks.subList(0, i)),
            b.wholeMedianMs(), b.compileMs(), b.wallMs()), "no earlier block was settled: " + blocks);
      }
      // the whole model ran back to back (a second, or 20,000 frames) and the process CPU clock counted it
      assertTrue(r.wholeCpuMs() > 0 && Double.isFinite(r.wholeCpuMs()), "CPU per frame: " + r.wholeCpuMs());
      assertTrue(Double.isFinite(r.wholeModelThreadsCpuMs()), "the model threads' CPU per frame: " + r.wholeModelThreadsCpuMs());
    }
  }

  @Test
  void theWholeModelIsWarmedAndTimedBeforeAnySingleLayerRunnerExists() {
    List<String> phases = new java.util.ArrayList<>();
    try (CpuGpu gpu = new CpuGpu()) {
      LayerProfiler.profile(twoRelus(), INPUT, new float[3 * 8 * 8], gpu, 3, 5, true, phases::add);
    }
    assertEquals(List.of("whole warm-up", "whole timed", "layer runners", "layers warm-up", "layers timed"), phases);
  }

  /** The lowest block median, as the warm-up keeps it. */
  private static double fastest(List<LayerProfiler.Block> blocks) {
    return blocks.stream().mapToDouble(LayerProfiler.Block::wholeMedianMs).min().orElse(0);
  }
}
