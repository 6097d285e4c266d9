package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.experiments.bench.CodecBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec experiment's prediction: the slower crossing hop, with the edge's end slowed by its cap. */
class LinkCodecPredictionTest {
  private static final PipelineSpec THESIS = PipelineSpec.load(Path.of("..", "pipelines", "thesis.yaml"))
      .withInput(256, 256);

  /** Bench rows for hops 0..3: raw bytes per hop, and per codec a ratio and CPU ms per frame (encode, decode). */
  private static List<CodecBench.Row> rows(double zstdRatio, double zstdEncodeMs) {
    double[] raw = {65_536, 262_144, 262_144, 65_536};
    List<CodecBench.Row> rows = new ArrayList<>();
    for (int hop = 0; hop < raw.length; hop++) {
      rows.add(new CodecBench.Row(hop, "hop" + hop, "-", PayloadCodec.NONE, 10, raw[hop], raw[hop], 0, 0));
      rows.add(new CodecBench.Row(hop, "hop" + hop, "-", PayloadCodec.LZ4, 10, raw[hop], raw[hop], 0.1, 0.1));
      rows.add(new CodecBench.Row(hop, "hop" + hop, "-", PayloadCodec.ZSTD, 10, raw[hop], raw[hop] / zstdRatio,
          zstdEncodeMs, 0.5));
    }
    return rows;
  }

  @Test
  void theUpHopOfEachPlacementIsTheLastEdgeServicesOutput() {
    List<CodecBench.Row> bench = rows(2, 0.5);
    // EESS sends conv's 262,144-byte output up: at 100 Mbit, none gives 1e8 / 8 / 262144 = 47.7 fps
    var p = LinkCodecExperiment.predict(bench, THESIS, "EESS", PayloadCodec.NONE, 1e8, 0.5);
    assertEquals(1e8 / 8 / 262_144, p.fps(), 1e-9);
    assertTrue(p.limit().startsWith("hop1 link"), p.limit());
    // ESSS sends the 65,536-byte picture up and the same size back: the link limit is 190.7 fps
    var esss = LinkCodecExperiment.predict(bench, THESIS, "ESSS", PayloadCodec.NONE, 1e8, 0.5);
    assertEquals(1e8 / 8 / 65_536, esss.fps(), 1e-9);
  }

  @Test
  void aCodecThatHalvesTheBytesDoublesALinkBoundHopUntilTheEdgeCpuLimitsIt() {
    var cheap = LinkCodecExperiment.predict(rows(2, 0.5), THESIS, "EESS", PayloadCodec.ZSTD, 1e8, 0.5);
    assertEquals(2 * 1e8 / 8 / 262_144, cheap.fps(), 1e-9); // 10.5 ms on the link, 1 ms to encode on half a core
    // 8 ms of CPU to encode, doubled on a half-core edge: 16 ms, slower than the 10.5 ms the link then needs
    var costly = LinkCodecExperiment.predict(rows(2, 8), THESIS, "EESS", PayloadCodec.ZSTD, 1e8, 0.5);
    assertEquals(1000 / 16.0, costly.fps(), 1e-9);
    assertTrue(costly.limit().equals("hop1 edge encode"), costly.limit());
  }
}
