package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.RunOptions;
import io.edgepipe.runtime.LayerGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Fused services (E3's) compute what the monolith computes. */
class FusedRunTest {
  private static final Path SPEC = Path.of("..", "pipelines", "thesis.yaml");

  @Test
  void fusedServicesAreBitIdenticalToTheMonolith() {
    PipelineSpec spec = PipelineSpec.load(SPEC).withInput(24, 40);
    RunOptions o = new RunOptions(spec, SPEC, "synthetic", 3, 0, 1, "cpu", 5, null, "npy");
    Map<String, Frame> monolith = new ConcurrentHashMap<>();
    try (MonolithRun run = new MonolithRun(spec, "cpu", f -> monolith.put(f.getFlowId() + "/" + f.getSeq(), f))) {
      run.run(o, null);
    }
    for (List<List<String>> groups : List.of(List.of(List.of("conv", "relu", "maxpool")),
        List.of(List.of("conv", "relu"), List.of("maxpool")))) {
      Map<String, Frame> fused = new ConcurrentHashMap<>();
      RunResult r;
      try (EmbeddedRun run = EmbeddedRun.fused(spec, groups, "cpu", f -> fused.put(f.getFlowId() + "/" + f.getSeq(), f))) {
        r = run.run(o, null);
      }
      assertEquals(3, r.summary().delivered(), groups.toString());
      assertEquals(0, r.lost());
      assertEquals(monolith.keySet(), fused.keySet());
      for (String key : monolith.keySet()) {
        assertEquals(monolith.get(key).getShape(), fused.get(key).getShape(), key);
        assertEquals(monolith.get(key).getData(), fused.get(key).getData(), groups + " " + key);
      }
      // one timing record per service: the producer and each group, named by its layers
      List<String> services = fused.values().iterator().next().getTimingsList().stream().map(t -> t.getStage()).toList();
      List<String> expected = new java.util.ArrayList<>(List.of("producer"));
      groups.forEach(g -> expected.add(LayerGroup.name(g)));
      assertEquals(expected, services);
    }
  }

  @Test
  void groupsMustSplitTheLayersInOrder() {
    PipelineSpec spec = PipelineSpec.load(SPEC);
    assertThrows(IllegalArgumentException.class,
        () -> LayerGroup.checkPartition(spec, List.of(List.of("relu", "conv"), List.of("maxpool"))));
    assertThrows(IllegalArgumentException.class, () -> LayerGroup.checkPartition(spec, List.of(List.of("conv"))));
    assertThrows(IllegalArgumentException.class,
        () -> LayerGroup.checkPartition(spec, List.of(List.of("conv", "relu", "maxpool"), List.of())));
    LayerGroup.checkPartition(spec, List.of(List.of("conv"), List.of("relu", "maxpool")));
  }
}
