package io.edgepipe.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.launcher.RunOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compressed hops are lossless end to end: a pipeline whose hops use lz4 and zstd (mixed with
 * none) delivers exactly what the uncompressed monolith computes, bit for bit.
 */
class CodecEquivalenceTest {
  @ParameterizedTest(name = "{0} with hops {1}")
  @CsvSource({"thesis.yaml, lz4 zstd lz4 zstd", "thesis.yaml, zstd none lz4 none", "cnn.yaml, lz4 lz4 zstd zstd"})
  void compressedHopsDeliverTheMonolithsOutputBitForBit(String specName, String codecs) {
    Path file = Path.of("..", "pipelines", specName);
    PipelineSpec plain = PipelineSpec.load(file).withInput(48, 64);
    PipelineSpec spec = plain.withHopCodecs(java.util.Arrays.stream(codecs.split(" ")).map(PayloadCodec::parse).toList());
    RunOptions o = new RunOptions(spec, file, "synthetic", 5, 0, 1, "cpu", 42, null, "npy");

    Map<String, Frame> fromPipeline = new ConcurrentHashMap<>();
    RunResult pipeline;
    try (EmbeddedRun run = new EmbeddedRun(spec, "cpu", f -> fromPipeline.put(f.getFlowId() + "/" + f.getSeq(), f))) {
      pipeline = run.run(o, null);
    }
    Map<String, Frame> fromMonolith = new ConcurrentHashMap<>();
    try (MonolithRun run = new MonolithRun(plain, "cpu", f -> fromMonolith.put(f.getFlowId() + "/" + f.getSeq(), f))) {
      run.run(new RunOptions(plain, file, "synthetic", 5, 0, 1, "cpu", 42, null, "npy"), null);
    }
    assertEquals(5, pipeline.summary().delivered());
    assertEquals(0, pipeline.lost());
    assertEquals(fromMonolith.keySet(), fromPipeline.keySet());
    for (String key : fromMonolith.keySet()) {
      assertEquals(fromMonolith.get(key).getData(), fromPipeline.get(key).getData(), "output of " + key + " differs");
    }
    assertEquals(List.of(PayloadCodec.NONE), List.of(PayloadCodec.of(fromPipeline.values().iterator().next())),
        "the sink hands on decoded payloads");
  }
}
