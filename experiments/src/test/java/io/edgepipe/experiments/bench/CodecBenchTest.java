package io.edgepipe.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The codec benchmark codes every hop of the chain with every codec and checks each round trip. */
class CodecBenchTest {
  private static final PipelineSpec THESIS = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"));

  private static void checkShape(List<CodecBench.Row> rows, PipelineSpec spec, int frames) {
    int hops = spec.layers().size() + 1;
    assertEquals(hops * PayloadCodec.values().length, rows.size());
    for (CodecBench.Row r : rows) {
      assertEquals(frames, r.frames());
      long expected = spec.shapes().get(r.hop()).elements()
          * io.edgepipe.api.ElementType.sizeOf(spec.hopTypes().get(r.hop()));
      assertEquals(expected, r.rawBytes(), 0.0, r.hopName());
      if (r.codec() == PayloadCodec.NONE) {
        assertEquals(r.rawBytes(), r.wireBytes(), 0.0);
      } else {
        assertTrue(r.encodeCpuMs() > 0 && r.decodeCpuMs() > 0, r.codec() + " on " + r.hopName() + " took no CPU?");
        assertTrue(r.wireBytes() > 0 && r.wireBytes() <= r.codec().maxEncodedBytes((long) r.rawBytes()));
      }
    }
    assertEquals(List.of("producer->conv", "conv->relu", "relu->maxpool", "maxpool->sink"),
        rows.stream().map(CodecBench.Row::hopName).distinct().toList());
  }

  @Test
  void everyHopAndCodecOnSyntheticFrames() {
    PipelineSpec spec = THESIS.withInput(72, 96);
    List<CodecBench.Row> rows = new CodecBench(spec, "synthetic").run(4, 1);
    checkShape(rows, spec, 4);
    // the maxpool output is a quarter of the relu output it came from
    assertEquals(rows.get(6).rawBytes() / 4, rows.get(9).rawBytes(), 0.0);
  }

  @Test
  void realFootageCompresses() {
    // where scripts/fetch-models.sh puts it (the repository's data/, as the model tests read it)
    Path video = Path.of(System.getProperty("edgepipe.data", "../data"), "photos", "vtest.avi");
    Assumptions.assumeTrue(Files.isReadable(video),
        "needs " + video + " from scripts/fetch-models.sh (Debian's opencv-doc); the synthetic test covers the same code");
    PipelineSpec spec = THESIS.withInput(576, 768);
    List<CodecBench.Row> rows = new CodecBench(spec, "video:" + video).run(3, 1);
    checkShape(rows, spec, 3);
    for (CodecBench.Row r : rows) {
      if (r.codec() == PayloadCodec.ZSTD) { // camera noise limits it, but a real frame always shrinks some
        assertTrue(r.ratio() > 1.02, "zstd ratio on " + r.hopName() + ": " + r.ratio());
      }
    }
  }
}
