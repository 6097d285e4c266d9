package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.RunOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gRPC pipeline computes exactly what the monolith computes, bit for bit. */
class PipelineEquivalenceTest {
  @ParameterizedTest(name = "{0} at {1}x{2}")
  @CsvSource({"thesis.yaml, 48, 64", "thesis.yaml, 33, 47", "thesis.yaml, 128, 128",
      "cnn.yaml, 48, 64", "cnn.yaml, 37, 51"})
  void pipelineOutputIsBitIdenticalToTheMonolith(String specName, int height, int width) {
    Path file = Path.of("..", "pipelines", specName);
    PipelineSpec spec = PipelineSpec.load(file).withInput(height, width);
    RunOptions o = new RunOptions(spec, file, "synthetic", 6, 0, 2, "cpu", 42, null, "npy");

    Map<String, Frame> fromPipeline = new ConcurrentHashMap<>();
    RunResult pipeline;
    try (EmbeddedRun run = new EmbeddedRun(spec, "cpu", f -> fromPipeline.put(f.getFlowId() + "/" + f.getSeq(), f))) {
      pipeline = run.run(o, null);
    }
    Map<String, Frame> fromMonolith = new ConcurrentHashMap<>();
    try (MonolithRun run = new MonolithRun(spec, "cpu", f -> fromMonolith.put(f.getFlowId() + "/" + f.getSeq(), f))) {
      run.run(o, null);
    }

    assertEquals(12, pipeline.summary().delivered());
    assertEquals(0, pipeline.lost());
    assertEquals(0, pipeline.summary().gaps());
    assertEquals(0, pipeline.summary().outOfOrder());
    assertEquals(fromMonolith.keySet(), fromPipeline.keySet());
    for (String key : fromMonolith.keySet()) {
      Frame p = fromPipeline.get(key);
      Frame m = fromMonolith.get(key);
      assertEquals(m.getShape(), p.getShape(), key);
      assertEquals(m.getDtype(), p.getDtype(), key);
      ByteString expected = m.getData();
      assertEquals(expected, p.getData(), "output of " + key + " differs");
    }
    // the frames differ from each other (a constant output would make the check meaningless)
    assertEquals(12, fromPipeline.values().stream().map(Frame::getData).distinct().count());
  }

  /**
   * Across processes each stage computes its output straight into a slot of its next hop's
   * shared-memory ring, and its reader computes from that slot in place: still the monolith's bits.
   */
  @Test
  void processOutputIsBitIdenticalToTheMonolith(@TempDir Path logs) {
    Path file = Path.of("..", "pipelines", "thesis.yaml");
    PipelineSpec spec = PipelineSpec.load(file).withInput(48, 64);
    RunOptions o = new RunOptions(spec, file, "synthetic", 20, 0, 2, "cpu", 42, null, "npy");
    Map<String, Frame> fromProcesses = new ConcurrentHashMap<>();
    RunResult processes;
    try (ProcessRun run = new ProcessRun(spec, file, "cpu", f -> fromProcesses.put(f.getFlowId() + "/" + f.getSeq(), f),
        logs, spec.delivery())) {
      processes = run.run(o, null);
    }
    Map<String, Frame> fromMonolith = new ConcurrentHashMap<>();
    try (MonolithRun run = new MonolithRun(spec, "cpu", f -> fromMonolith.put(f.getFlowId() + "/" + f.getSeq(), f))) {
      run.run(o, null);
    }
    assertEquals(40, processes.summary().delivered(), "every frame delivered: " + processes.summary());
    assertEquals(fromMonolith.keySet(), fromProcesses.keySet());
    for (String key : fromMonolith.keySet()) {
      assertEquals(fromMonolith.get(key).getData(), fromProcesses.get(key).getData(), "output of " + key + " differs");
    }
    assertEquals(40, fromProcesses.values().stream().map(Frame::getData).distinct().count());
  }
}
